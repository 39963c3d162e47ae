import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  type Backend,
  BadRequestError,
  createBackend,
  defineBackend,
  type Fields,
  NotFoundError,
  type Operation,
  realSystemView,
  StorageView,
  silentLogger,
} from '../../sdk/index.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { passwordPolicyPaths } from './paths.ts';
import { PasswordPolicyStore } from './store.ts';

const TEXT =
  'length = 16\nrule "charset" {\n  charset = "0123456789"\n  min-chars = 2\n}\nrule "charset" {\n  charset = "xyz"\n}';
let backend: Backend;

const call = (operation: Operation, mountPath: string, data: Record<string, unknown> = {}) =>
  backend.handle({
    id: 'req-1',
    operation,
    path: `sys/${mountPath}`,
    data,
    headers: {},
    clientToken: 'hvs.root',
    remoteAddr: '127.0.0.1',
    mountPoint: 'sys/',
    mountPath,
  });

beforeEach(() => {
  const storage = new StorageView(new InmemStorage(), '');
  const store = new PasswordPolicyStore(storage.sub('sys/password_policy/'));
  backend = createBackend(
    defineBackend({ type: 'system', description: 't', help: 't', paths: passwordPolicyPaths({ store }) }),
    {
      storage,
      system: realSystemView(),
      logger: silentLogger,
      mount: { path: 'sys/', type: 'system', accessor: 'system_1', uuid: 'u', options: {} },
    },
  );
});

describe('sys/policies/password', () => {
  it('writes (PUT and POST), reads, lists, deletes', async () => {
    assert.deepEqual(await call('create', 'policies/password/web', { policy: TEXT }), {});
    assert.deepEqual(await call('update', 'policies/password/web', { policy: TEXT }), {});
    assert.deepEqual(await call('read', 'policies/password/web'), { data: { policy: TEXT } });
    await call('update', 'policies/password/api', { policy: TEXT });
    assert.deepEqual(await call('list', 'policies/password'), { data: { keys: ['api', 'web'] } });
    assert.deepEqual(await call('delete', 'policies/password/web'), {});
    await assert.rejects(call('read', 'policies/password/web'), NotFoundError);
  });

  it('accepts the policy base64-encoded', async () => {
    await call('update', 'policies/password/b64', { policy: Buffer.from(TEXT).toString('base64') });
    assert.deepEqual(await call('read', 'policies/password/b64'), { data: { policy: TEXT } });
  });

  it('refuses empty and invalid policies with the position', async () => {
    await assert.rejects(call('update', 'policies/password/x', {}), {
      message: "'policy' parameter not supplied or empty",
    });
    await assert.rejects(
      call('update', 'policies/password/x', { policy: 'length = 200\nrule "charset" {\n  charset = "a"\n}' }),
      (err: unknown) => {
        assert.ok(err instanceof BadRequestError);
        assert.match(err.message, /line 1, column 10: "length" must be between 4 and 100/);
        return true;
      },
    );
    await assert.rejects(call('update', 'policies/password/x', { policy: TEXT, other: 1 }), { status: 400 });
  });

  it('generates a fresh password that meets the policy on every call', async () => {
    await call('update', 'policies/password/web', { policy: TEXT });
    const passwords = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const res = await call('read', 'policies/password/web/generate');
      const pw = (res?.data as { password: string } | undefined)?.password ?? '';
      assert.match(pw, /^[0-9xyz]{16}$/);
      assert.ok(pw.replace(/[xyz]/g, '').length >= 2);
      passwords.add(pw);
    }
    assert.equal(passwords.size, 50);
    await assert.rejects(call('read', 'policies/password/nope/generate'), NotFoundError);
  });

  it('every path has help and described fields', () => {
    for (const p of backend.definition.paths) {
      assert.ok(p.help.synopsis && p.help.description, p.pattern);
      for (const [name, spec] of Object.entries(p.fields as Fields))
        assert.ok(spec.description, `${p.pattern} ${name}`);
    }
  });
});
