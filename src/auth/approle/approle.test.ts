import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadRequestError,
  InvalidCredentialsError,
  InvalidFieldError,
  NotFoundError,
} from '../../sdk/index.ts';
import { authHarness } from '../shared/test-helper.ts';
import { approleFactory } from './index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const harness = () => authHarness(approleFactory, 'approle');

async function withRole(role: Record<string, unknown> = {}) {
  const ar = await harness();
  await ar.write('role/web', { token_policies: 'web', token_ttl: '20m', ...role });
  const roleId = (await ar.call('read', 'role/web/role-id')).data!.role_id as string;
  const issue = async (data: Record<string, unknown> = {}) =>
    (await ar.call('update', 'role/web/secret-id', data)).data as {
      secret_id: string;
      secret_id_accessor: string;
      secret_id_ttl: number;
      secret_id_num_uses: number;
    };
  const login = (secretId: string, extra = {}) =>
    ar.call('update', 'login', { role_id: roleId, secret_id: secretId }, extra);
  return { ar, roleId, issue, login };
}

const invalid = (e: unknown) =>
  e instanceof InvalidCredentialsError && e.message === 'invalid role or secret ID';

describe('approle roles', () => {
  it('creates, reads, lists, updates and deletes roles', async () => {
    const ar = await harness();
    await ar.write('role/Web', { token_policies: ['b', 'a'], secret_id_ttl: '10m', secret_id_num_uses: 5 });
    assert.deepEqual((await ar.call('read', 'role/web')).data, {
      bind_secret_id: true,
      local_secret_ids: false,
      secret_id_bound_cidrs: [],
      secret_id_num_uses: 5,
      secret_id_ttl: 600,
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 0,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['a', 'b'],
      token_ttl: 0,
      token_type: 'default',
    });
    await ar.write('role/web', { token_ttl: 60 });
    const after = (await ar.call('read', 'role/web')).data!;
    assert.equal(after.token_ttl, 60);
    assert.equal(after.secret_id_ttl, 600, 'fields not sent keep their value');
    await ar.write('role/db', { period: 300 });
    assert.equal((await ar.call('read', 'role/db')).data!.period, 300);
    assert.deepEqual(await ar.call('list', 'role'), { data: { keys: ['db', 'web'] } });
    await ar.call('delete', 'role/web');
    await assert.rejects(ar.call('read', 'role/web'), NotFoundError);
    await ar.call('delete', 'role/db');
    await assert.rejects(ar.call('list', 'role'), NotFoundError);
  });

  it('enforces Vault role rules', async () => {
    const ar = await harness();
    await assert.rejects(ar.write('role/x', { bind_secret_id: false }), /at least one constraint/);
    await ar.write('role/x', { bind_secret_id: false, secret_id_bound_cidrs: '10.0.0.0/8' });
    await assert.rejects(ar.write('role/x', { local_secret_ids: true }), /role creation/);
    await assert.rejects(ar.write('role/y', { secret_id_bound_cidrs: 'garbage' }), InvalidFieldError);
    await assert.rejects(ar.write('role/y', { secret_id_num_uses: -1 }), InvalidFieldError);
  });

  it('generates a role id, reads it, and sets a custom one', async () => {
    const ar = await harness();
    await ar.write('role/a', {});
    const id = (await ar.call('read', 'role/a/role-id')).data!.role_id as string;
    assert.match(id, UUID);
    await ar.write('role/b', { role_id: 'custom-b' });
    assert.equal((await ar.call('read', 'role/b/role-id')).data!.role_id, 'custom-b');
    await assert.rejects(ar.call('update', 'role/a/role-id', { role_id: 'custom-b' }), /already in use/);
    await ar.call('update', 'role/a/role-id', { role_id: 'custom-a' });
    await assert.rejects(ar.call('update', 'login', { role_id: id, secret_id: 'x' }), invalid);
    await assert.rejects(ar.call('read', 'role/none/role-id'), NotFoundError);
  });

  it('has per-setting endpoints', async () => {
    const ar = await harness();
    await ar.write('role/r', { token_policies: 'a' });
    assert.deepEqual((await ar.call('read', 'role/r/policies')).data, {
      policies: ['a'],
      token_policies: ['a'],
    });
    await ar.call('update', 'role/r/secret-id-ttl', { secret_id_ttl: '5m' });
    assert.deepEqual((await ar.call('read', 'role/r/secret-id-ttl')).data, { secret_id_ttl: 300 });
    await ar.call('update', 'role/r/token-ttl', { token_ttl: 30 });
    assert.equal((await ar.call('read', 'role/r')).data!.token_ttl, 30);
    await ar.call('delete', 'role/r/token-ttl');
    assert.deepEqual((await ar.call('read', 'role/r/token-ttl')).data, { token_ttl: 0 });
    await ar.call('update', 'role/r/period', { period: 60 });
    assert.deepEqual((await ar.call('read', 'role/r/period')).data, { period: 60, token_period: 60 });
    await assert.rejects(ar.call('update', 'role/r/bind-secret-id', { bind_secret_id: false }), /constraint/);
    await assert.rejects(ar.call('update', 'role/r/secret-id-ttl', {}), /missing secret_id_ttl/);
    assert.deepEqual((await ar.call('read', 'role/r/local-secret-ids')).data, { local_secret_ids: false });
    await assert.rejects(ar.call('read', 'role/none/token-ttl'), NotFoundError);
  });
});

describe('approle secret ids and login', () => {
  it('logs in with role id and secret id and answers the AuthResult', async () => {
    const { ar, roleId, issue, login } = await withRole({
      token_max_ttl: '1h',
      token_bound_cidrs: '127.0.0.0/8',
    });
    const s = await issue({ metadata: JSON.stringify({ env: 'prod' }) });
    assert.match(s.secret_id, UUID);
    assert.match(s.secret_id_accessor, UUID);
    assert.equal(s.secret_id.length, 36);
    assert.equal(s.secret_id_ttl, 0);
    assert.equal(s.secret_id_num_uses, 0);
    const res = await login(s.secret_id);
    assert.deepEqual(res.auth, {
      policies: ['web'],
      displayName: 'approle',
      alias: { name: roleId, metadata: { env: 'prod', role_name: 'web' } },
      metadata: { env: 'prod', role_name: 'web' },
      internalData: { role_name: 'web', secret_id_accessor: s.secret_id_accessor },
      ttl: 1200,
      maxTTL: 3600,
      explicitMaxTTL: 0,
      period: 0,
      numUses: 0,
      renewable: true,
      tokenType: 'default',
      noDefaultPolicy: false,
      boundCIDRs: ['127.0.0.0/8'],
    });
    await login(s.secret_id); // unlimited uses
    const m = ar.backend.match('login')!;
    assert.deepEqual(m.path.unauthenticated, ['update', 'create']);
    assert.equal(await m.path.aliasLookahead?.({} as never, { role_id: roleId }), roleId);
  });

  it('refuses a wrong role id or secret id', async () => {
    const { ar, roleId, issue, login } = await withRole();
    const s = await issue();
    await assert.rejects(login('00000000-0000-0000-0000-000000000000'), invalid);
    await assert.rejects(ar.call('update', 'login', { role_id: 'nope', secret_id: s.secret_id }), invalid);
    await assert.rejects(ar.call('update', 'login', { role_id: roleId }), /missing secret_id/);
    await ar.write('role/other', {});
    const other = (await ar.call('update', 'role/other/secret-id')).data!.secret_id as string;
    await assert.rejects(login(other), invalid, "another role's secret id");
  });

  it('allows login without a secret id when the role does not bind one', async () => {
    const ar = await harness();
    await ar.write('role/open', { bind_secret_id: false, secret_id_bound_cidrs: '10.0.0.0/8' });
    const roleId = (await ar.call('read', 'role/open/role-id')).data!.role_id;
    await assert.rejects(ar.call('update', 'role/open/secret-id'), /bind_secret_id is not set/);
    await assert.rejects(ar.call('update', 'login', { role_id: roleId }), /CIDR restrictions on the role/);
    const res = await ar.call('update', 'login', { role_id: roleId }, { remoteAddr: '10.1.1.1' });
    assert.equal(res.auth?.alias.name, roleId);
  });

  it('spends num_uses exactly once under 20 concurrent logins', async () => {
    const { issue, login } = await withRole();
    const s = await issue({ num_uses: 1 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => login(s.secret_id)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(invalid(r.reason));

    const three = await issue({ num_uses: 3 });
    const again = await Promise.allSettled(Array.from({ length: 20 }, () => login(three.secret_id)));
    assert.equal(again.filter((r) => r.status === 'fulfilled').length, 3);
  });

  it('decrements num_uses and shows it in lookup', async () => {
    const { ar, issue, login } = await withRole({ secret_id_num_uses: 5 });
    const s = await issue();
    assert.equal(s.secret_id_num_uses, 5);
    await login(s.secret_id);
    const look = (await ar.call('update', 'role/web/secret-id/lookup', { secret_id: s.secret_id })).data!;
    assert.equal(look.secret_id_num_uses, 4);
    await assert.rejects(issue({ num_uses: 0 }), /num_uses cannot be higher/);
    await assert.rejects(issue({ num_uses: 6 }), /num_uses cannot be higher/);
  });

  it('expires secret ids after their TTL (injected clock)', async () => {
    const { ar, issue, login } = await withRole({ secret_id_ttl: '10m' });
    const s = await issue();
    assert.equal(s.secret_id_ttl, 600);
    const short = await issue({ ttl: 60 });
    await assert.rejects(issue({ ttl: '1h' }), /ttl cannot be longer/);
    const look = (await ar.call('update', 'role/web/secret-id/lookup', { secret_id: s.secret_id })).data!;
    assert.equal(look.creation_time, '2024-01-02T03:04:05.000Z');
    assert.equal(look.expiration_time, '2024-01-02T03:14:05.000Z');
    ar.clock.advance(61);
    await assert.rejects(login(short.secret_id), invalid);
    await login(s.secret_id);
    ar.clock.advance(600);
    await assert.rejects(login(s.secret_id), invalid);
    assert.equal(
      await ar.call('update', 'role/web/secret-id/lookup', { secret_id: s.secret_id }).then((r) => r.data),
      undefined,
    );
  });

  it('binds secret ids to CIDRs', async () => {
    const { ar, issue, login } = await withRole({ secret_id_bound_cidrs: '10.0.0.0/8' });
    await assert.rejects(issue({ cidr_list: '192.168.0.0/16' }), /subset/);
    const s = await issue({ cidr_list: '10.1.0.0/16', token_bound_cidrs: '10.1.2.0/24' });
    await assert.rejects(login(s.secret_id, { remoteAddr: '127.0.0.1' }), /CIDR restrictions on the role/);
    await assert.rejects(
      login(s.secret_id, { remoteAddr: '10.2.0.1' }),
      /CIDR restrictions on the secret ID/,
    );
    const res = await login(s.secret_id, { remoteAddr: '10.1.9.9' });
    assert.deepEqual(res.auth?.boundCIDRs, ['10.1.2.0/24']);
    const look = (await ar.call('update', 'role/web/secret-id/lookup', { secret_id: s.secret_id })).data!;
    assert.deepEqual(look.cidr_list, ['10.1.0.0/16']);
    assert.deepEqual(look.token_bound_cidrs, ['10.1.2.0/24']);
  });

  it('registers a custom secret id once', async () => {
    const { ar, issue, login } = await withRole();
    const res = (
      await ar.call('update', 'role/web/custom-secret-id', { secret_id: 'my-own-secret', num_uses: 2 })
    ).data!;
    assert.equal(res.secret_id, 'my-own-secret');
    await assert.rejects(
      ar.call('update', 'role/web/custom-secret-id', { secret_id: 'my-own-secret' }),
      /already registered/,
    );
    await assert.rejects(
      ar.call('update', 'role/web/custom-secret-id', { secret_id: '' }),
      InvalidFieldError,
    );
    await login('my-own-secret');
    await login('my-own-secret');
    await assert.rejects(login('my-own-secret'), invalid);
    await issue();
  });

  it('lists accessors, looks up and destroys by secret id and accessor', async () => {
    const { ar, issue, login } = await withRole();
    const a = await issue();
    const b = await issue();
    const c = await issue();
    const keys = (await ar.call('list', 'role/web/secret-id')).data!.keys;
    assert.deepEqual(keys, [a, b, c].map((s) => s.secret_id_accessor).sort());
    const byAccessor = (
      await ar.call('update', 'role/web/secret-id-accessor/lookup', {
        secret_id_accessor: b.secret_id_accessor,
      })
    ).data!;
    assert.equal(byAccessor.secret_id_accessor, b.secret_id_accessor);
    assert.equal(byAccessor.secret_id, undefined);
    await ar.call('update', 'role/web/secret-id/destroy', { secret_id: a.secret_id });
    await ar.call('delete', 'role/web/secret-id-accessor/destroy', {
      secret_id_accessor: b.secret_id_accessor,
    });
    await assert.rejects(login(a.secret_id), invalid);
    await assert.rejects(login(b.secret_id), invalid);
    await login(c.secret_id);
    await assert.rejects(
      ar.call('update', 'role/web/secret-id-accessor/lookup', { secret_id_accessor: b.secret_id_accessor }),
      NotFoundError,
    );
    assert.deepEqual((await ar.call('list', 'role/web/secret-id')).data!.keys, [c.secret_id_accessor]);
    await ar.write('role/other', {});
    await assert.rejects(
      ar.call('update', 'role/other/secret-id-accessor/lookup', { secret_id_accessor: c.secret_id_accessor }),
      NotFoundError,
      "another role's accessor",
    );
    await assert.rejects(ar.call('list', 'role/none/secret-id'), BadRequestError);
  });

  it('deleting a role removes its secret ids; tidy removes expired ones', async () => {
    const { ar, issue } = await withRole({ secret_id_ttl: 60 });
    await issue();
    await issue({ ttl: 30 });
    ar.clock.advance(45);
    const res = await ar.call('update', 'tidy/secret-id');
    assert.equal(res.status, 202);
    assert.equal(((await ar.call('list', 'role/web/secret-id')).data!.keys as string[]).length, 1);
    await ar.call('delete', 'role/web');
    const left = (await ar.storage.listAll('')).filter((k) => k !== 'salt');
    assert.deepEqual(left, []);
  });

  it('stores no secret id or role id in storage keys, and no secret id in values', async () => {
    const { ar, roleId, issue, login } = await withRole({ secret_id_num_uses: 3 });
    const secrets = [(await issue()).secret_id, (await issue()).secret_id];
    await ar.call('update', 'role/web/custom-secret-id', { secret_id: 'custom-secret-value-123' });
    secrets.push('custom-secret-value-123');
    await login(secrets[0]!);
    const keys = (await ar.storage.listAll('')).join('\n');
    assert.ok(!keys.includes(roleId), 'no role id in keys');
    const dump = await ar.dump();
    for (const s of secrets) assert.ok(!dump.includes(s), 'no secret id in storage');
  });
});
