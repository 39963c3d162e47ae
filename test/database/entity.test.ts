/**
 * Done when: revoking an entity in one call revokes its tokens and every database credential they
 * created.
 *
 * In-process dev server, userpass login (two tokens of the same entity), three credentials from a
 * throwaway scram cluster; `sys/leases/revoke-entity` → both tokens 403, the three users gone.
 * Another entity's token and credential are untouched.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type PgCluster, startPgCluster } from '../helpers/pg-cluster.ts';
import { redact } from '../helpers/redact.ts';
import { type TestServer, testServer } from '../helpers/server.ts';
import { type Api, api, call, pgCanLogin, pgRoleExists, waitFor } from './helpers.ts';

let srv: TestServer;
let v: Api;
let pgc: PgCluster;

before(async () => {
  [srv, pgc] = await Promise.all([testServer({ rootToken: 'root' }), startPgCluster()]);
  v = api(
    () => srv.url,
    () => srv.rootToken,
  );
  await v.ok('POST', 'sys/mounts/database', { type: 'database' });
  await v.ok('POST', 'database/config/pg', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${pgc.port}/postgres`,
    username: 'postgres',
    password: pgc.adminPassword,
    allowed_roles: 'app',
  });
  await v.ok('POST', 'database/roles/app', { db_name: 'pg', default_ttl: '1h' });
  await v.ok('PUT', 'sys/policies/acl/coffer_test_app', {
    policy: 'path "database/creds/app" { capabilities = ["read"] }',
  });
  await v.ok('POST', 'sys/auth/userpass', { type: 'userpass' });
  for (const u of ['coffer_test_alice', 'coffer_test_bob'])
    await v.ok('POST', `auth/userpass/users/${u}`, {
      password: 'pw-123456',
      token_policies: 'coffer_test_app',
    });
});
after(async () => {
  await srv?.close();
  await pgc?.destroy();
});

async function login(user: string): Promise<{ token: string; entity: string }> {
  const r = await call(srv.url, undefined, 'POST', `auth/userpass/login/${user}`, { password: 'pw-123456' });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.auth.entity_id, 'login answers an entity_id');
  return { token: r.json.auth.client_token, entity: r.json.auth.entity_id };
}

async function creds(token: string): Promise<{ user: string; pw: string; lease: string }> {
  const r = await call(srv.url, token, 'GET', 'database/creds/app');
  assert.equal(r.status, 200, r.text);
  return { user: r.json.data.username, pw: r.json.data.password, lease: r.json.lease_id };
}

it("revoke-entity revokes the entity's tokens and every credential they created", async () => {
  const a1 = await login('coffer_test_alice');
  const a2 = await login('coffer_test_alice');
  assert.equal(a1.entity, a2.entity, 'same entity for both logins');
  const b = await login('coffer_test_bob');
  assert.notEqual(b.entity, a1.entity);

  const mine = [await creds(a1.token), await creds(a1.token), await creds(a2.token)];
  const theirs = await creds(b.token);
  for (const c of [...mine, theirs]) assert.ok(await pgCanLogin(pgc.url(c.user, c.pw)));
  assert.equal((await call(srv.url, a1.token, 'GET', 'sys/policies/acl')).status, 403, 'policy is narrow');

  const t0 = Date.now();
  const r = await v.ok('PUT', 'sys/leases/revoke-entity', { entity_id: a1.entity });
  console.log(`# revoke-entity answered in ${Date.now() - t0} ms: ${redact(JSON.stringify(r.data))}`);
  assert.equal(r.data.tokens_revoked, 2);

  for (const t of [a1.token, a2.token]) {
    const self = await call(srv.url, t, 'GET', 'auth/token/lookup-self');
    assert.equal(self.status, 403, `token still valid: ${redact(self.text)}`);
    assert.equal((await call(srv.url, t, 'GET', 'database/creds/app')).status, 403);
  }
  const gone = await waitFor(
    async () => {
      for (const c of mine) if (await pgRoleExists(pgc.adminUrl, c.user)) return false;
      return true;
    },
    5000,
    100,
  );
  assert.ok(gone !== undefined, 'the entity’s database users were not dropped within 5 s');
  console.log(`# the 3 database users gone ${gone - t0} ms after revoke-entity`);
  for (const c of mine) {
    assert.equal(await pgCanLogin(pgc.url(c.user, c.pw)), false);
    assert.equal((await v.call('PUT', 'sys/leases/lookup', { lease_id: c.lease })).status, 400);
  }

  // Vault's revoke-entity answers nothing; ours reports counts, so they must be right.
  assert.equal(r.data.leases_revoked, 3, 'leases_revoked counts the 3 revoked leases');

  // The other entity is untouched.
  assert.equal((await call(srv.url, b.token, 'GET', 'auth/token/lookup-self')).status, 200);
  assert.ok(await pgCanLogin(pgc.url(theirs.user, theirs.pw)));
  await v.ok('PUT', 'sys/leases/revoke', { lease_id: theirs.lease });
});
