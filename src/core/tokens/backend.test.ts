import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadRequestError,
  type FieldSpec,
  InvalidFieldError,
  NotFoundError,
  PermissionDeniedError,
} from '../../sdk/index.ts';
import { tokenBackendDefinition } from './backend.ts';
import { backendHarness } from './test-helper.ts';

type Auth = Record<string, unknown> & { client_token: string; accessor: string };
const auth = (res: { envelope?: { auth?: unknown } }) => res.envelope?.auth as Auth;

const AUTH_KEYS = [
  'accessor',
  'client_token',
  'entity_id',
  'lease_duration',
  'metadata',
  'mfa_requirement',
  'num_uses',
  'orphan',
  'policies',
  'renewable',
  'token_policies',
  'token_type',
];
const LOOKUP_KEYS = [
  'accessor',
  'creation_time',
  'creation_ttl',
  'display_name',
  'entity_id',
  'expire_time',
  'explicit_max_ttl',
  'id',
  'issue_time',
  'meta',
  'num_uses',
  'orphan',
  'path',
  'policies',
  'renewable',
  'ttl',
  'type',
];

describe('auth/token/ path table', () => {
  it('has type token, help on every path and a description on every field', () => {
    const def = tokenBackendDefinition({ store: {} as never, canSudo: async () => false });
    assert.equal(def.type, 'token');
    for (const p of def.paths) {
      assert.ok(p.help.synopsis && p.help.description, p.pattern);
      for (const [name, spec] of Object.entries(p.fields as Record<string, FieldSpec>))
        assert.ok(spec.description, `${p.pattern} ${name}`);
    }
  });

  it('create: the Vault auth block; lookup-self, lookup and lookup-accessor shapes', async () => {
    const h = await backendHarness();
    const res = await h.call('update', 'create', {
      policies: 'app,db',
      ttl: '1h',
      meta: { user: 'alice' },
      display_name: 'My App!',
    });
    assert.equal(res.status, 200);
    const a = auth(res);
    assert.deepEqual(Object.keys(a).sort(), AUTH_KEYS);
    assert.match(a.client_token, /^hvs\./);
    assert.deepEqual(a.policies, ['app', 'db', 'default']);
    assert.deepEqual(a.token_policies, ['app', 'db', 'default']);
    assert.deepEqual(a.metadata, { user: 'alice' });
    assert.equal(a.lease_duration, 3600);
    assert.equal(a.renewable, true);
    assert.equal(a.orphan, false);
    assert.equal(a.token_type, 'service');
    assert.equal(a.mfa_requirement, null);

    const self = await h.call('read', 'lookup-self', {}, a.client_token);
    assert.deepEqual(Object.keys(self.data!).sort(), LOOKUP_KEYS);
    assert.equal(self.data!.id, a.client_token);
    assert.equal(self.data!.accessor, a.accessor);
    assert.equal(self.data!.display_name, 'token-My-App');
    assert.equal(self.data!.path, 'auth/token/create');
    assert.equal(self.data!.ttl, 3600);
    assert.equal(self.data!.creation_ttl, 3600);
    assert.equal(self.data!.creation_time, Math.floor(h.clock.ms / 1000));
    assert.equal(self.data!.issue_time, new Date(h.clock.ms).toISOString());
    assert.equal(self.data!.expire_time, new Date(h.clock.ms + 3600_000).toISOString());
    assert.deepEqual(self.data!.meta, { user: 'alice' });

    h.clock.advance(600);
    const other = await h.call('update', 'lookup', { token: a.client_token });
    assert.equal(other.data!.id, a.client_token);
    assert.equal(other.data!.ttl, 3000);
    const byAccessor = await h.call('update', 'lookup-accessor', { accessor: a.accessor });
    assert.equal(byAccessor.data!.id, '');
    assert.equal(byAccessor.data!.accessor, a.accessor);

    const rootSelf = await h.call('read', 'lookup-self');
    assert.equal(rootSelf.data!.expire_time, null);
    assert.equal(rootSelf.data!.orphan, true);
    assert.deepEqual(rootSelf.data!.policies, ['root']);

    await assert.rejects(h.call('update', 'lookup', { token: 'hvs.bogus' }), PermissionDeniedError);
    await assert.rejects(h.call('update', 'lookup-accessor', { accessor: 'bogus' }), /invalid accessor/);
    await assert.rejects(h.call('update', 'create', { bogus: 1 }), InvalidFieldError);
    await assert.rejects(h.call('update', 'create', { policies: 'Response-Wrapping' }), /cannot assign/);
  });

  it('create by a non-root token: subset of its policies; id, no_parent and period need sudo', async () => {
    const h = await backendHarness();
    const parent = auth(await h.call('update', 'create', { policies: ['a', 'b'] })).client_token;
    const child = auth(await h.call('update', 'create', {}, parent));
    assert.deepEqual(child.policies, ['a', 'b', 'default']);
    await assert.rejects(h.call('update', 'create', { policies: ['c'] }, parent), /subset of parent/);
    await assert.rejects(h.call('update', 'create', { id: 'custom' }, parent), PermissionDeniedError);
    await assert.rejects(h.call('update', 'create', { no_parent: true }, parent), /orphan/);
    await assert.rejects(h.call('update', 'create', { period: '1h' }, parent), /periodic/);
    h.sudoTokens.add(parent);
    assert.equal(auth(await h.call('update', 'create', { no_parent: true }, parent)).orphan, true);
    const periodic = auth(await h.call('update', 'create', { period: '2h', ttl: '1m' }, parent));
    assert.equal(periodic.lease_duration, 7200);
    // create-orphan needs no sudo (the ACL on the path decides, as in Vault).
    h.sudoTokens.clear();
    assert.equal(auth(await h.call('update', 'create-orphan', { policies: 'a' }, parent)).orphan, true);
    // The root may choose the id.
    assert.equal(auth(await h.call('update', 'create', { id: 'my-own-id' })).client_token, 'my-own-id');
    // Batch tokens cannot create tokens.
    const batch = auth(await h.call('update', 'create', { type: 'batch', policies: 'a' })).client_token;
    assert.match(batch, /^hvb\./);
    await assert.rejects(h.call('update', 'create', {}, batch), /batch tokens cannot create/);
    await assert.rejects(h.call('update', 'revoke', { token: batch }), /batch tokens cannot be revoked/);
  });

  it('renew, renew-self and renew-accessor answer with the auth block', async () => {
    const h = await backendHarness();
    const a = auth(await h.call('update', 'create', { ttl: '10m', policies: 'x' }));
    h.clock.advance(300);
    const r1 = auth(await h.call('update', 'renew', { token: a.client_token, increment: '20m' }));
    assert.equal(r1.lease_duration, 1200);
    assert.equal(r1.client_token, a.client_token);
    const r2 = auth(await h.call('update', 'renew-self', {}, a.client_token));
    assert.equal(r2.lease_duration, 600);
    const r3 = auth(await h.call('update', 'renew-accessor', { accessor: a.accessor, increment: 60 }));
    assert.equal(r3.lease_duration, 60);
    assert.equal(r3.client_token, '');
    const lookup = await h.call('read', 'lookup-self', {}, a.client_token);
    assert.equal(typeof lookup.data!.last_renewal_time, 'number');
    await assert.rejects(h.call('update', 'renew', {}), /token must be specified/);
    await assert.rejects(h.call('update', 'renew', { token: 'hvs.nope' }), BadRequestError);
    const fixed = auth(await h.call('update', 'create', { renewable: false }));
    await assert.rejects(h.call('update', 'renew-self', {}, fixed.client_token), /not renewable/);
  });

  it('revoke, revoke-self, revoke-accessor (with children) and revoke-orphan (sudo, keeps children)', async () => {
    const h = await backendHarness();
    const mk = async (token?: string) => auth(await h.call('update', 'create', { policies: 'a' }, token));
    const a = await mk();
    const aChild = await mk(a.client_token);
    const res = await h.call('update', 'revoke', { token: a.client_token });
    assert.equal(res.status, undefined);
    assert.equal(res.data, undefined);
    assert.equal(await h.store.lookup(aChild.client_token), undefined);
    assert.deepEqual(await h.call('update', 'revoke', { token: 'hvs.unknown' }), {});

    const b = await mk();
    await h.call('update', 'revoke-self', {}, b.client_token);
    assert.equal(await h.store.lookup(b.client_token), undefined);

    const c = await mk();
    const cChild = await mk(c.client_token);
    await h.call('update', 'revoke-accessor', { accessor: c.accessor });
    assert.equal(await h.store.lookup(cChild.client_token), undefined);
    await assert.rejects(h.call('update', 'revoke-accessor', { accessor: c.accessor }), /invalid accessor/);

    const d = await mk();
    const dChild = await mk(d.client_token);
    const e = await mk();
    await assert.rejects(
      h.call('update', 'revoke-orphan', { token: d.client_token }, e.client_token),
      PermissionDeniedError,
    );
    await h.call('update', 'revoke-orphan', { token: d.client_token });
    assert.equal(await h.store.lookup(d.client_token), undefined);
    const kept = await h.call('read', 'lookup-self', {}, dChild.client_token);
    assert.equal(kept.data!.orphan, true);
  });

  it('accessors: LIST needs sudo and returns every accessor', async () => {
    const h = await backendHarness();
    const a = auth(await h.call('update', 'create', { policies: 'a' }));
    const res = await h.call('list', 'accessors');
    assert.deepEqual(res.data, { keys: [h.root.entry.accessor, a.accessor].sort() });
    await assert.rejects(h.call('list', 'accessors', {}, a.client_token), PermissionDeniedError);
    h.sudoTokens.add(a.client_token);
    assert.equal(((await h.call('list', 'accessors', {}, a.client_token)).data!.keys as string[]).length, 2);
  });

  it('roles: write, read, list, delete; create/:role_name applies the role', async () => {
    const h = await backendHarness();
    await h.call('create', 'roles/web', {
      allowed_policies: 'web,static',
      allowed_policies_glob: 'team-*',
      disallowed_policies: 'admin',
      orphan: true,
      path_suffix: 'v1',
      token_period: '1h',
      token_num_uses: 5,
      token_bound_cidrs: ['10.0.0.0/8'],
    });
    const read = await h.call('read', 'roles/web');
    assert.equal(read.data!.name, 'web');
    assert.deepEqual(read.data!.allowed_policies, ['static', 'web']);
    assert.equal(read.data!.token_period, 3600);
    assert.equal(read.data!.period, 3600);
    assert.equal(read.data!.renewable, true);
    assert.equal(read.data!.token_type, 'default-service');
    assert.deepEqual(read.data!.token_bound_cidrs, ['10.0.0.0/8']);
    await h.call('update', 'roles/web', { renewable: false });
    assert.equal((await h.call('read', 'roles/web')).data!.renewable, false);
    assert.equal((await h.call('read', 'roles/web')).data!.token_period, 3600, 'update keeps unsent fields');
    await h.call('create', 'roles/batchy', { token_type: 'batch' });
    assert.deepEqual((await h.call('list', 'roles')).data, { keys: ['batchy', 'web'] });

    // A non-root caller without those policies may still use the role: allowed_policies govern.
    const caller = auth(await h.call('update', 'create', { policies: 'x' })).client_token;
    const t = auth(await h.call('update', 'create/web', { policies: 'web,team-blue', num_uses: 10 }, caller));
    assert.deepEqual(t.policies, ['default', 'team-blue', 'web']);
    assert.equal(t.orphan, true);
    assert.equal(t.renewable, false);
    assert.equal(t.lease_duration, 3600);
    assert.equal(t.num_uses, 5, "the role's num_uses caps the request");
    const looked = await h.call('update', 'lookup', { token: t.client_token });
    assert.equal(looked.data!.path, 'auth/token/create/web/v1');
    assert.equal(looked.data!.role, 'web');
    assert.deepEqual(looked.data!.bound_cidrs, ['10.0.0.0/8']);
    assert.equal(looked.data!.period, 3600);
    const dflt = auth(await h.call('update', 'create/web', {}, caller));
    assert.deepEqual(dflt.policies, ['default', 'static', 'web']);
    await assert.rejects(
      h.call('update', 'create/web', { policies: 'other' }, caller),
      /must be subset of the role/,
    );
    await assert.rejects(h.call('update', 'create/web', { policies: 'admin' }), /subset|disallowed/);
    await assert.rejects(h.call('update', 'create/nope', {}), /unknown role/);
    await assert.rejects(h.call('update', 'create/batchy', { type: 'service' }), /not allowed by role/);
    assert.match(auth(await h.call('update', 'create/batchy', { policies: 'a' })).client_token, /^hvb\./);
    await assert.rejects(h.call('update', 'create/web', { entity_alias: 'bob' }), /entity_alias/);

    await h.call('delete', 'roles/web');
    await assert.rejects(h.call('read', 'roles/web'), NotFoundError);
    await assert.rejects(h.call('create', 'roles/bad', { token_bound_cidrs: 'nope' }), InvalidFieldError);
    await assert.rejects(
      h.call('create', 'roles/bad', { token_type: 'batch', token_period: 60 }),
      /periodic/,
    );
  });

  it('roles without allowed_policies: disallowed policies and the parent subset rule', async () => {
    const h = await backendHarness();
    await h.call('create', 'roles/limited', { disallowed_policies: 'secret,default' });
    const caller = auth(await h.call('update', 'create', { policies: 'a,secret' })).client_token;
    const t = auth(await h.call('update', 'create/limited', {}, caller));
    assert.deepEqual(t.policies, ['a'], 'disallowed and default removed from the inherited set');
    await assert.rejects(h.call('update', 'create/limited', { policies: 'secret' }, caller), /disallowed/);
    await assert.rejects(h.call('update', 'create/limited', { policies: 'zzz' }, caller), /subset of parent/);
  });

  it('tidy answers 200 with counts', async () => {
    const h = await backendHarness();
    await h.call('update', 'create', { ttl: 5 });
    h.clock.advance(6);
    const res = await h.call('update', 'tidy');
    assert.deepEqual(res.data, { removed: 1, revoked_tokens: 1, dangling_index_entries: 0 });
  });

  it('refuses requests without a live calling token', async () => {
    const h = await backendHarness();
    await assert.rejects(h.call('read', 'lookup-self', {}, 'hvs.unknown'), PermissionDeniedError);
    await assert.rejects(h.call('update', 'create', {}, 'hvs.unknown'), PermissionDeniedError);
  });
});
