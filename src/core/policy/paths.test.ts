import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  type Backend,
  BadRequestError,
  createBackend,
  defineBackend,
  type Fields,
  InvalidFieldError,
  NotFoundError,
  type Operation,
  type Request,
  type RequestAuth,
  realSystemView,
  StorageView,
  silentLogger,
} from '../../sdk/index.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { type PolicyPathDeps, policyPaths } from './paths.ts';
import { PolicyStore } from './store.ts';

const TOKENS: Record<string, string[]> = { 'hvs.dev': ['dev', 'default'], 'hvs.root': ['root'] };
const ACCESSORS: Record<string, string[]> = { 'acc-dev': ['dev', 'default'] };
const DEV =
  'path "secret/*" { capabilities = ["read", "list"] }\npath "secret/admin" { capabilities = ["deny"] }';

let backend: Backend;
let store: PolicyStore;

function request(
  operation: Operation,
  mountPath: string,
  data: Record<string, unknown> = {},
  auth?: RequestAuth,
): Request {
  return {
    id: 'req-1',
    operation,
    path: `sys/${mountPath}`,
    data,
    headers: {},
    clientToken: auth ? 'hvs.dev' : '',
    remoteAddr: '127.0.0.1',
    mountPoint: 'sys/',
    mountPath,
    ...(auth ? { auth } : {}),
  };
}
const call = (op: Operation, path: string, data?: Record<string, unknown>, auth?: RequestAuth) =>
  backend.handle(request(op, path, data, auth));

const devAuth = {
  tokenHash: 'h',
  accessor: 'acc-dev',
  policies: ['dev', 'default'],
  tokenPolicies: ['dev', 'default'],
  identityPolicies: [],
  entityId: '',
  displayName: 'token',
  metadata: {},
  tokenType: 'service',
  path: 'auth/token/create',
} satisfies RequestAuth;

beforeEach(async () => {
  const storage = new StorageView(new InmemStorage(), '');
  store = new PolicyStore(storage.sub('sys/policy/'));
  await store.load();
  const deps: PolicyPathDeps = {
    store,
    aclForToken: async (t) => (TOKENS[t] ? store.aclFor(TOKENS[t]) : undefined),
    aclForAccessor: async (a) => (ACCESSORS[a] ? store.aclFor(ACCESSORS[a]) : undefined),
    aclForRequest: async (req) => (req.auth ? store.aclFor(req.auth.policies) : undefined),
  };
  const definition = defineBackend({
    type: 'system',
    description: 'test',
    help: 'test',
    paths: policyPaths(deps),
  });
  backend = createBackend(definition, {
    storage,
    system: realSystemView(),
    logger: silentLogger,
    mount: { path: 'sys/', type: 'system', accessor: 'system_1', uuid: 'u', options: {} },
  });
  await store.put('dev', DEV);
});

describe('sys/policy and sys/policies/acl', () => {
  it('lists, with root', async () => {
    assert.deepEqual(await call('read', 'policy'), {
      data: { keys: ['default', 'dev', 'root'], policies: ['default', 'dev', 'root'] },
    });
    assert.deepEqual(await call('list', 'policy'), {
      data: { keys: ['default', 'dev', 'root'], policies: ['default', 'dev', 'root'] },
    });
    assert.deepEqual(await call('list', 'policies/acl'), { data: { keys: ['default', 'dev', 'root'] } });
  });

  it("reads in each path's shape", async () => {
    assert.deepEqual(await call('read', 'policy/DEV'), { data: { name: 'dev', rules: DEV } });
    assert.deepEqual(await call('read', 'policies/acl/dev'), { data: { name: 'dev', policy: DEV } });
    assert.deepEqual(await call('read', 'policies/acl/root'), { data: { name: 'root', policy: '' } });
    await assert.rejects(call('read', 'policies/acl/nope'), NotFoundError);
    await assert.rejects(call('read', 'policy/nope'), NotFoundError);
  });

  it('writes with "policy", "rules" (legacy path) or base64', async () => {
    const text = 'path "kv/*" { capabilities = ["read"] }';
    assert.deepEqual(await call('update', 'policies/acl/one', { policy: text }), {});
    assert.equal(await store.getText('one'), text);
    await call('create', 'policy/two', { rules: text });
    assert.equal(await store.getText('two'), text);
    await call('update', 'policies/acl/three', { policy: Buffer.from(text).toString('base64') });
    assert.equal(await store.getText('three'), text);
    await assert.rejects(call('update', 'policies/acl/four', { rules: text }), InvalidFieldError);
  });

  it('refuses empty, invalid and immutable policies', async () => {
    await assert.rejects(call('update', 'policies/acl/x', {}), {
      message: "'policy' parameter not supplied or empty",
    });
    await assert.rejects(call('update', 'policies/acl/x', { policy: 'path "a" { capabilities = ["x"] }' }), {
      message: /^failed to parse policy: line 1, column 28: path "a": invalid capability "x"$/,
    });
    await assert.rejects(call('update', 'policies/acl/root', { policy: DEV }), BadRequestError);
    await assert.rejects(call('delete', 'policies/acl/root'), { status: 400 });
    await assert.rejects(call('delete', 'policy/default'), { status: 400 });
  });

  it('deletes', async () => {
    assert.deepEqual(await call('delete', 'policies/acl/dev'), {});
    await assert.rejects(call('read', 'policies/acl/dev'), NotFoundError);
    assert.deepEqual(await call('delete', 'policy/dev'), {});
  });
});

describe('sys/capabilities*', () => {
  it('answers per path, and "capabilities" for one path', async () => {
    assert.deepEqual(await call('update', 'capabilities', { token: 'hvs.dev', path: 'secret/foo' }), {
      data: { capabilities: ['list', 'read'], 'secret/foo': ['list', 'read'] },
    });
    assert.deepEqual(
      await call('update', 'capabilities', {
        token: 'hvs.dev',
        paths: ['secret/admin', 'other', 'cubbyhole/x'],
      }),
      {
        data: {
          'secret/admin': ['deny'],
          other: ['deny'],
          'cubbyhole/x': ['create', 'delete', 'list', 'read', 'update'],
        },
      },
    );
    assert.deepEqual(await call('update', 'capabilities', { token: 'hvs.root', path: 'sys/raw' }), {
      data: { capabilities: ['root'], 'sys/raw': ['root'] },
    });
  });

  it('refuses an unknown token with 400 "invalid token", as Vault', async () => {
    await assert.rejects(call('update', 'capabilities', { token: 'hvs.nope', path: 'x' }), {
      message: 'invalid token',
      status: 400,
    });
    await assert.rejects(call('update', 'capabilities', { path: 'x' }), { message: 'missing token' });
    await assert.rejects(call('update', 'capabilities', { token: 'hvs.dev' }), { message: 'missing path' });
  });

  it('capabilities-accessor', async () => {
    assert.deepEqual(
      await call('update', 'capabilities-accessor', { accessor: 'acc-dev', path: 'secret/x' }),
      {
        data: { capabilities: ['list', 'read'], 'secret/x': ['list', 'read'] },
      },
    );
    await assert.rejects(call('update', 'capabilities-accessor', { accessor: 'nope', path: 'x' }), {
      message: 'invalid accessor',
    });
  });

  it('capabilities-self uses the calling token', async () => {
    assert.deepEqual(
      await call('update', 'capabilities-self', { paths: 'secret/a,sys/capabilities-self' }, devAuth),
      {
        data: { 'secret/a': ['list', 'read'], 'sys/capabilities-self': ['update'] },
      },
    );
    await assert.rejects(call('update', 'capabilities-self', { path: 'x' }), { message: 'invalid token' });
  });

  it('does not depend on what exists: policy changes show at once', async () => {
    const before = await call('update', 'capabilities', { token: 'hvs.dev', path: 'secret/x' });
    await store.put('dev', 'path "secret/x" { capabilities = ["update"] }');
    const after = await call('update', 'capabilities', { token: 'hvs.dev', path: 'secret/x' });
    assert.notDeepEqual(before, after);
    assert.deepEqual(after.data?.capabilities, ['update']);
  });
});

describe('sys/internal/ui/resultant-acl', () => {
  it("lists the calling token's rules", async () => {
    const res = await call('read', 'internal/ui/resultant-acl', {}, devAuth);
    const data = res.data as {
      exact_paths: Record<string, unknown>;
      glob_paths: Record<string, unknown>;
      root: boolean;
    };
    assert.equal(data.root, false);
    assert.deepEqual(data.glob_paths['secret/'], { capabilities: ['list', 'read'] });
    assert.deepEqual(data.exact_paths['secret/admin'], { capabilities: ['deny'] });
    assert.deepEqual(data.exact_paths['auth/token/lookup-self'], { capabilities: ['read'] });
    assert.deepEqual(data.glob_paths['identity/oidc/provider/+/authorize'], {
      capabilities: ['read', 'update'],
    });
  });
  it('answers empty without a token', async () => {
    assert.deepEqual(await call('read', 'internal/ui/resultant-acl'), {});
  });
});

it('every path has help and described fields', () => {
  for (const p of backend.definition.paths) {
    assert.ok(p.help.synopsis && p.help.description, p.pattern);
    for (const [name, spec] of Object.entries(p.fields as Fields))
      assert.ok(spec.description, `${p.pattern} ${name}`);
  }
});
