/**
 * Done when: a test suite drives every capability rule through HTTP: a token whose policy grants
 * `secret/data/app/*` read cannot read `secret/data/other`, cannot list `secret/metadata/` unless
 * granted, cannot `sys/mounts` POST, `sys/audit` or `auth/token/accessors` without sudo; `deny` beats
 * everything; the precedence examples of Vault's policy documentation give Vault's answers;
 * `allowed_parameters`/`denied_parameters` enforced; a 403 never says whether the path exists.
 *
 * Tier 3: a real listener (dev mode, KV v2 at secret/), plain fetch. Policies are written with
 * PUT sys/policies/acl/NAME, tokens minted by root with POST auth/token/create, and every check is
 * made with the child token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestServer, testServer } from '../helpers/server.ts';
import {
  type Api,
  createToken,
  expectStatus,
  makeApi,
  mountKv,
  sorted,
  writeKv2,
  writePolicy,
} from './helpers.ts';

const PERMISSION_DENIED = '{"errors":["permission denied"]}';

describe('access: ACL capabilities over HTTP', () => {
  let srv: TestServer;
  let api: Api;
  let root: string;
  /** A token with exactly these policies (and default, as Vault adds it). */
  const tokenWith = (...policies: string[]) => createToken(api, root, { policies });
  const policy = (name: string, hcl: string) => writePolicy(api, root, name, hcl);
  const read = (token: string, path: string) => api('GET', path, { token });
  const capsSelf = async (token: string, paths: string[]) => {
    const r = await api('POST', 'sys/capabilities-self', { token, body: { paths } });
    expectStatus(r, 200, `sys/capabilities-self ${paths.join(',')}`);
    return r.json.data ?? r.json;
  };

  before(async () => {
    srv = await testServer();
    api = makeApi(srv.url);
    root = srv.rootToken;
    for (const [path, data] of [
      ['app/one', { v: 'one' }],
      ['app/db', { v: 'db' }],
      ['app/secret', { v: 'app-secret' }],
      ['app/todelete', { v: 'bye' }],
      ['other', { v: 'other' }],
      ['bar', { v: 'bar' }],
      ['baz', { v: 'baz' }],
      ['foo/x', { v: 'foo-x' }],
      ['foo/y', { v: 'foo-y' }],
      ['b/foo/c', { v: 'b-foo-c' }],
    ] as const) {
      expectStatus(await writeKv2(api, root, { path }, data), 200, `root writes secret/data/${path}`);
    }
    await mountKv(api, root, 'kv1', '1');
    await policy('app-read', 'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\n');
  });
  after(async () => srv?.close());

  describe('default policy', () => {
    it('a fresh token with only "default" can auth/token/lookup-self and nothing in secret/', async () => {
      const t = await tokenWith('default');
      const r = await read(t, 'auth/token/lookup-self');
      expectStatus(r, 200, 'lookup-self');
      assert.deepEqual(sorted(r.json.data.policies), ['default']);
      assert.equal(r.json.data.id, t);
      expectStatus(await read(t, 'secret/data/app/one'), 403, 'default token reads a secret');
    });
  });

  describe('policy changes', () => {
    it('a changed or deleted policy applies to a token already in use at once', async () => {
      await policy('changing', 'path "secret/data/app/one" {\n  capabilities = ["read"]\n}\n');
      const t = await tokenWith('changing');
      // Used twice, so whatever is remembered per token is in place before the change.
      expectStatus(await read(t, 'secret/data/app/one'), 200, 'read before the change');
      expectStatus(await read(t, 'secret/data/app/one'), 200, 'read again');
      await policy('changing', 'path "secret/data/app/one" {\n  capabilities = ["deny"]\n}\n');
      expectStatus(await read(t, 'secret/data/app/one'), 403, 'read after deny');
      await policy('changing', 'path "secret/data/app/one" {\n  capabilities = ["read"]\n}\n');
      expectStatus(await read(t, 'secret/data/app/one'), 200, 'read after grant again');
      expectStatus(await api('DELETE', 'sys/policies/acl/changing', { token: root }), 204, 'delete policy');
      expectStatus(await read(t, 'secret/data/app/one'), 403, 'read after the policy is gone');
    });
  });

  describe('read / list', () => {
    it('secret/data/app/* read: reads app/one, not secret/data/other', async () => {
      const t = await tokenWith('app-read');
      const ok = await read(t, 'secret/data/app/one');
      expectStatus(ok, 200, 'read app/one');
      assert.deepEqual(ok.json.data.data, { v: 'one' });
      expectStatus(await read(t, 'secret/data/other'), 403, 'read secret/data/other');
      // The glob is a prefix of the path string: secret/data/application is not under app/.
      expectStatus(await read(t, 'secret/data/application'), 403, 'read secret/data/application');
    });

    it('cannot list secret/metadata/ unless granted list', async () => {
      const t = await tokenWith('app-read');
      expectStatus(
        await api('LIST', 'secret/metadata/', { token: t }),
        403,
        'LIST secret/metadata/ (read only)',
      );
      expectStatus(await api('LIST', 'secret/metadata/app/', { token: t }), 403, 'LIST secret/metadata/app/');

      await policy('meta-list', 'path "secret/metadata/*" {\n  capabilities = ["list"]\n}\n');
      const lister = await tokenWith('meta-list');
      const r = await api('LIST', 'secret/metadata/', { token: lister });
      expectStatus(r, 200, 'LIST secret/metadata/ with list');
      assert.ok(r.json.data.keys.includes('app/'), r.text);
      assert.ok(r.json.data.keys.includes('other'), r.text);
      // list is not read.
      expectStatus(await read(lister, 'secret/metadata/other'), 403, 'read metadata with only list');
      expectStatus(await read(lister, 'secret/data/other'), 403, 'read data with only list');
    });
  });

  describe('create vs update (existence check on KV v2 data paths)', () => {
    it('create writes a new secret but cannot overwrite an existing one', async () => {
      await policy('app-create', 'path "secret/data/app/*" {\n  capabilities = ["create"]\n}\n');
      const t = await tokenWith('app-create');
      expectStatus(await writeKv2(api, t, { path: 'app/new-by-create' }, { v: 'n' }), 200, 'create new');
      expectStatus(await writeKv2(api, t, { path: 'app/one' }, { v: 'x' }), 403, 'create over existing');
      expectStatus(await read(t, 'secret/data/app/new-by-create'), 403, 'create is not read');
      const check = await read(root, 'secret/data/app/one');
      assert.deepEqual(check.json.data.data, { v: 'one' }, 'the refused overwrite changed nothing');
    });

    it('update overwrites an existing secret but cannot create a new one', async () => {
      await policy('app-update', 'path "secret/data/app/*" {\n  capabilities = ["update"]\n}\n');
      const t = await tokenWith('app-update');
      expectStatus(await writeKv2(api, t, { path: 'app/new-by-update' }, { v: 'n' }), 403, 'update new');
      expectStatus(await read(root, 'secret/data/app/new-by-update'), 404, 'nothing was created');
      expectStatus(await writeKv2(api, t, { path: 'app/db' }, { v: 'db2' }), 200, 'update existing');
      assert.deepEqual((await read(root, 'secret/data/app/db')).json.data.data, { v: 'db2' });
    });
  });

  describe('patch and delete', () => {
    it('PATCH (merge-patch) needs patch; read or update alone is not enough', async () => {
      await policy('app-patch', 'path "secret/data/app/*" {\n  capabilities = ["patch"]\n}\n');
      const patch = (token: string) =>
        api('PATCH', 'secret/data/app/one', {
          token,
          body: { data: { extra: 'patched' } },
          headers: { 'Content-Type': 'application/merge-patch+json' },
        });
      expectStatus(await patch(await tokenWith('app-read')), 403, 'PATCH with read');
      expectStatus(await patch(await tokenWith('app-update')), 403, 'PATCH with update');
      expectStatus(await patch(await tokenWith('app-patch')), 200, 'PATCH with patch');
      assert.deepEqual((await read(root, 'secret/data/app/one')).json.data.data, {
        v: 'one',
        extra: 'patched',
      });
    });

    it('DELETE needs delete', async () => {
      await policy('app-delete', 'path "secret/data/app/*" {\n  capabilities = ["delete"]\n}\n');
      const ro = await tokenWith('app-read');
      expectStatus(await api('DELETE', 'secret/data/app/todelete', { token: ro }), 403, 'DELETE with read');
      expectStatus(await read(root, 'secret/data/app/todelete'), 200, 'still there');
      const del = await tokenWith('app-delete');
      expectStatus(
        await api('DELETE', 'secret/data/app/todelete', { token: del }),
        204,
        'DELETE with delete',
      );
      expectStatus(await read(root, 'secret/data/app/todelete'), 404, 'deleted');
      expectStatus(await read(del, 'secret/data/app/one'), 403, 'delete is not read');
    });
  });

  describe('sys paths and sudo', () => {
    it('cannot POST sys/mounts/* without a grant; can with create/update', async () => {
      const t = await tokenWith('app-read');
      const mount = (token: string, name: string) =>
        api('POST', `sys/mounts/${name}`, { token, body: { type: 'kv', options: { version: '2' } } });
      expectStatus(await mount(t, 'not-allowed'), 403, 'mount without grant');
      expectStatus(await read(t, 'sys/mounts'), 403, 'GET sys/mounts without grant');
      await policy('mounter', 'path "sys/mounts/*" {\n  capabilities = ["create", "update"]\n}\n');
      const m = await tokenWith('mounter');
      expectStatus(await mount(m, 'allowed-mount'), 204, 'mount with create/update');
      const mounts = await read(root, 'sys/mounts');
      assert.ok(mounts.json.data['allowed-mount/'], 'allowed-mount/ exists');
      assert.equal(mounts.json.data['not-allowed/'], undefined, 'not-allowed/ was not mounted');
    });

    it('GET sys/audit needs sudo: ["read"] is refused, ["read","sudo"] is allowed', async () => {
      await policy('audit-read', 'path "sys/audit" {\n  capabilities = ["read"]\n}\n');
      await policy('audit-sudo', 'path "sys/audit" {\n  capabilities = ["read", "sudo"]\n}\n');
      expectStatus(
        await read(await tokenWith('audit-read'), 'sys/audit'),
        403,
        'sys/audit read without sudo',
      );
      expectStatus(await read(await tokenWith('audit-sudo'), 'sys/audit'), 200, 'sys/audit read with sudo');
    });

    it('LIST auth/token/accessors needs sudo: ["list"] is refused, ["list","sudo"] is allowed', async () => {
      await policy('acc-list', 'path "auth/token/accessors" {\n  capabilities = ["list"]\n}\n');
      await policy('acc-sudo', 'path "auth/token/accessors" {\n  capabilities = ["list", "sudo"]\n}\n');
      const refused = await api('LIST', 'auth/token/accessors', { token: await tokenWith('acc-list') });
      expectStatus(refused, 403, 'LIST accessors without sudo');
      const ok = await api('LIST', 'auth/token/accessors', { token: await tokenWith('acc-sudo') });
      expectStatus(ok, 200, 'LIST accessors with sudo');
      assert.ok(Array.isArray(ok.json.data.keys) && ok.json.data.keys.length > 0, ok.text);
    });

    it('sudo alone grants nothing without the operation capability', async () => {
      await policy('audit-sudo-only', 'path "sys/audit" {\n  capabilities = ["sudo"]\n}\n');
      expectStatus(
        await read(await tokenWith('audit-sudo-only'), 'sys/audit'),
        403,
        'sys/audit with only sudo',
      );
    });
  });

  describe('deny', () => {
    it('deny on the same path in another policy beats read', async () => {
      await policy('app-deny', 'path "secret/data/app/*" {\n  capabilities = ["deny"]\n}\n');
      const t = await tokenWith('app-read', 'app-deny');
      expectStatus(await read(t, 'secret/data/app/one'), 403, 'read with read+deny');
      const caps = await capsSelf(t, ['secret/data/app/one']);
      assert.deepEqual(caps['secret/data/app/one'], ['deny']);
    });

    it('deny beats read + sudo (and every other capability) in the same rule set', async () => {
      await policy('audit-deny', 'path "sys/audit" {\n  capabilities = ["deny"]\n}\n');
      await policy(
        'app-all',
        'path "secret/data/app/*" {\n  capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo"]\n}\n',
      );
      const t = await tokenWith('audit-sudo', 'audit-deny', 'app-all', 'app-deny');
      expectStatus(await read(t, 'sys/audit'), 403, 'sys/audit with read+sudo+deny');
      expectStatus(await read(t, 'secret/data/app/one'), 403, 'read with all+deny');
      expectStatus(await writeKv2(api, t, { path: 'app/one' }, { v: 'z' }), 403, 'update with all+deny');
      expectStatus(
        await writeKv2(api, t, { path: 'app/brand-new' }, { v: 'z' }),
        403,
        'create with all+deny',
      );
      expectStatus(await api('DELETE', 'secret/data/app/one', { token: t }), 403, 'delete with all+deny');
      assert.deepEqual((await capsSelf(t, ['sys/audit']))['sys/audit'], ['deny']);
    });

    it('a more specific deny beats a broader grant', async () => {
      await policy(
        'broad-read-narrow-deny',
        'path "secret/data/*" {\n  capabilities = ["read"]\n}\npath "secret/data/app/secret" {\n  capabilities = ["deny"]\n}\n',
      );
      const t = await tokenWith('broad-read-narrow-deny');
      expectStatus(await read(t, 'secret/data/app/secret'), 403, 'read the denied exact path');
      expectStatus(await read(t, 'secret/data/app/one'), 200, 'read a sibling');
    });

    it('a default-only token that is denied gets capabilities ["deny"]; root gets ["root"]', async () => {
      const t = await tokenWith('default');
      assert.deepEqual((await capsSelf(t, ['secret/data/app/one']))['secret/data/app/one'], ['deny']);
      assert.deepEqual((await capsSelf(root, ['secret/data/app/one']))['secret/data/app/one'], ['root']);
    });
  });

  describe("precedence: Vault's policy documentation, priority matching", () => {
    it('secret/* read vs secret/+/bar deny: secret/foo/bar is denied (P1 ends in *, P2 does not)', async () => {
      await policy(
        'prec-plus-bar',
        'path "secret/*" {\n  capabilities = ["read"]\n}\npath "secret/+/bar" {\n  capabilities = ["deny"]\n}\n',
      );
      const t = await tokenWith('prec-plus-bar');
      const caps = await capsSelf(t, ['secret/foo/bar', 'secret/foo/baz']);
      assert.deepEqual(caps['secret/foo/bar'], ['deny']);
      assert.deepEqual(caps['secret/foo/baz'], ['read']);
      // On the wire: secret/data/bar matches secret/+/bar.
      expectStatus(await read(t, 'secret/data/bar'), 403, 'read secret/data/bar');
      expectStatus(await read(t, 'secret/data/baz'), 200, 'read secret/data/baz');
    });

    it('secret/* read vs secret/+/+/foo/* deny: more + segments is lower priority, so read wins', async () => {
      await policy(
        'prec-two-plus',
        'path "secret/*" {\n  capabilities = ["read"]\n}\npath "secret/+/+/foo/*" {\n  capabilities = ["deny"]\n}\n',
      );
      const t = await tokenWith('prec-two-plus');
      assert.deepEqual((await capsSelf(t, ['secret/a/b/foo/c']))['secret/a/b/foo/c'], ['read']);
      const r = await read(t, 'secret/data/b/foo/c');
      expectStatus(r, 200, 'read secret/data/b/foo/c');
      assert.deepEqual(r.json.data.data, { v: 'b-foo-c' });
    });

    it('secret/data/+/x deny vs secret/data/* read: secret/data/foo/x denied, secret/data/foo/y read', async () => {
      await policy(
        'prec-data-plus-x',
        'path "secret/data/*" {\n  capabilities = ["read"]\n}\npath "secret/data/+/x" {\n  capabilities = ["deny"]\n}\n',
      );
      const t = await tokenWith('prec-data-plus-x');
      expectStatus(await read(t, 'secret/data/foo/x'), 403, 'read secret/data/foo/x');
      expectStatus(await read(t, 'secret/data/foo/y'), 200, 'read secret/data/foo/y');
    });

    it('first wildcard earlier is lower priority: secret/data/app/* read beats secret/data/+/db deny', async () => {
      await policy(
        'prec-first-wildcard',
        'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\npath "secret/data/+/db" {\n  capabilities = ["deny"]\n}\n',
      );
      const t = await tokenWith('prec-first-wildcard');
      expectStatus(await read(t, 'secret/data/app/db'), 200, 'read secret/data/app/db');
      assert.deepEqual((await capsSelf(t, ['secret/data/zzz/db']))['secret/data/zzz/db'], ['deny']);
    });

    it('shorter is lower priority: secret/data/+/cd* beats secret/data/+/c*', async () => {
      await policy(
        'prec-length',
        'path "secret/data/+/c*" {\n  capabilities = ["read"]\n}\npath "secret/data/+/cd*" {\n  capabilities = ["deny"]\n}\n',
      );
      const t = await tokenWith('prec-length');
      const caps = await capsSelf(t, ['secret/data/q/cde', 'secret/data/q/cx']);
      assert.deepEqual(caps['secret/data/q/cde'], ['deny']);
      assert.deepEqual(caps['secret/data/q/cx'], ['read']);
    });

    it('lexicographically smaller is lower priority: secret/+/x/+ beats secret/+/+/y (both ways)', async () => {
      await policy(
        'prec-lex-a',
        'path "secret/+/x/+" {\n  capabilities = ["read"]\n}\npath "secret/+/+/y" {\n  capabilities = ["deny"]\n}\n',
      );
      await policy(
        'prec-lex-b',
        'path "secret/+/x/+" {\n  capabilities = ["deny"]\n}\npath "secret/+/+/y" {\n  capabilities = ["read"]\n}\n',
      );
      const a = await tokenWith('prec-lex-a');
      const b = await tokenWith('prec-lex-b');
      assert.deepEqual((await capsSelf(a, ['secret/a/x/y']))['secret/a/x/y'], ['read']);
      assert.deepEqual((await capsSelf(b, ['secret/a/x/y']))['secret/a/x/y'], ['deny']);
    });

    it('an exact path beats a glob; the same pattern in two policies merges capabilities', async () => {
      await policy(
        'prec-exact',
        'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\npath "secret/data/app/one" {\n  capabilities = ["update"]\n}\n',
      );
      const t = await tokenWith('prec-exact');
      assert.deepEqual((await capsSelf(t, ['secret/data/app/one']))['secret/data/app/one'], ['update']);
      expectStatus(await read(t, 'secret/data/app/one'), 403, 'exact rule without read');
      expectStatus(await read(t, 'secret/data/app/db'), 200, 'glob rule read');

      await policy('app-update-only', 'path "secret/data/app/*" {\n  capabilities = ["update"]\n}\n');
      const merged = await tokenWith('app-read', 'app-update-only');
      assert.deepEqual(sorted((await capsSelf(merged, ['secret/data/app/db']))['secret/data/app/db']), [
        'read',
        'update',
      ]);
    });
  });

  describe('parameter constraints on a KV v1 mount (kv1/)', () => {
    const put = (token: string, path: string, body: Record<string, unknown>) =>
      api('POST', `kv1/${path}`, { token, body });

    it('allowed_parameters: only listed keys, and only listed values where a list is given', async () => {
      await policy(
        'kv1-allowed',
        'path "kv1/allowed" {\n  capabilities = ["create", "update"]\n  allowed_parameters = {\n    "color" = ["red", "blue"]\n    "size" = []\n  }\n}\n',
      );
      const t = await tokenWith('kv1-allowed');
      expectStatus(await put(t, 'allowed', { color: 'red' }), 204, 'color=red');
      expectStatus(await put(t, 'allowed', { color: 'blue', size: 'anything' }), 204, 'color=blue size=any');
      expectStatus(await put(t, 'allowed', { color: 'green' }), 403, 'color=green');
      expectStatus(await put(t, 'allowed', { size: 'xl', other: 'x' }), 403, 'other key');
      const check = await read(root, 'kv1/allowed');
      assert.deepEqual(
        check.json.data,
        { color: 'blue', size: 'anything' },
        'refused writes changed nothing',
      );
    });

    it('allowed_parameters "*" = [] allows any other key; value globs match prefixes', async () => {
      await policy(
        'kv1-allowed-star',
        'path "kv1/star" {\n  capabilities = ["create", "update"]\n  allowed_parameters = {\n    "env" = ["prod-*"]\n    "*" = []\n  }\n}\n',
      );
      const t = await tokenWith('kv1-allowed-star');
      expectStatus(await put(t, 'star', { env: 'prod-eu', anything: 'x' }), 204, 'env=prod-eu + any key');
      expectStatus(await put(t, 'star', { env: 'dev-eu' }), 403, 'env=dev-eu');
    });

    it('denied_parameters: a listed key with [] is refused whatever its value; with values, only those', async () => {
      await policy(
        'kv1-denied',
        'path "kv1/denied" {\n  capabilities = ["create", "update"]\n  denied_parameters = {\n    "admin" = []\n    "mode" = ["root"]\n  }\n}\n',
      );
      const t = await tokenWith('kv1-denied');
      expectStatus(await put(t, 'denied', { admin: 'false' }), 403, 'admin=false');
      expectStatus(await put(t, 'denied', { mode: 'root' }), 403, 'mode=root');
      expectStatus(await put(t, 'denied', { mode: 'user', free: 'yes' }), 204, 'mode=user');
      assert.deepEqual((await read(root, 'kv1/denied')).json.data, { mode: 'user', free: 'yes' });
    });

    it('required_parameters: a write without the key is refused', async () => {
      await policy(
        'kv1-required',
        'path "kv1/required" {\n  capabilities = ["create", "update"]\n  required_parameters = ["owner"]\n}\n',
      );
      const t = await tokenWith('kv1-required');
      expectStatus(await put(t, 'required', { v: '1' }), 403, 'without owner');
      expectStatus(await read(root, 'kv1/required'), 404, 'nothing written');
      expectStatus(await put(t, 'required', { owner: 'me', v: '1' }), 204, 'with owner');
    });
  });

  describe('sys/capabilities-self', () => {
    it('answers for several paths at once', async () => {
      await policy(
        'mixed',
        [
          'path "secret/data/app/*" {\n  capabilities = ["read", "update"]\n}',
          'path "secret/metadata/*" {\n  capabilities = ["list"]\n}',
          'path "sys/audit" {\n  capabilities = ["read", "sudo"]\n}',
          '',
        ].join('\n'),
      );
      const t = await tokenWith('mixed');
      const paths = ['secret/data/app/x', 'secret/data/other', 'secret/metadata/foo', 'sys/audit'];
      const caps = await capsSelf(t, paths);
      assert.deepEqual(sorted(caps['secret/data/app/x']), ['read', 'update']);
      assert.deepEqual(caps['secret/data/other'], ['deny']);
      assert.deepEqual(caps['secret/metadata/foo'], ['list']);
      assert.deepEqual(sorted(caps['sys/audit']), ['read', 'sudo']);
      // Default policy lets every token ask about itself.
      const d = await tokenWith('default');
      const own = await capsSelf(d, ['auth/token/lookup-self']);
      assert.ok(own['auth/token/lookup-self'].includes('read'), JSON.stringify(own));
    });
  });

  describe('a 403 never says whether the path exists', () => {
    it('existing secret, missing secret and a missing mount give byte-identical bodies', async () => {
      const t = await tokenWith('app-read');
      const targets = [
        ['GET', 'secret/data/other'], // exists
        ['GET', 'secret/data/does-not-exist-anywhere'], // no such secret
        ['GET', 'no-such-mount/some/path'], // no such mount
        ['LIST', 'secret/metadata/'], // exists
        ['LIST', 'secret/metadata/nothing-here/'], // empty
        ['POST', 'secret/data/other'], // write to an existing path
        ['DELETE', 'no-such-mount/x'],
      ] as const;
      for (const [method, path] of targets) {
        const r = await api(method, path, {
          token: t,
          ...(method === 'POST' ? { body: { data: { v: 'x' } } } : {}),
        });
        expectStatus(r, 403, `${method} ${path}`);
        assert.equal(r.text, PERMISSION_DENIED, `${method} ${path} body`);
      }
      // The same body for a token that does not exist at all.
      const bogus = await read('hvs.this-token-does-not-exist', 'secret/data/other');
      expectStatus(bogus, 403, 'bogus token');
      assert.equal(bogus.text, PERMISSION_DENIED);
    });
  });
});
