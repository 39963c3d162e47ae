/**
 * Done when: `database/creds/app` returns a username and password that can log in and do what the
 * role grants; after `sys/leases/revoke` the login fails and the role is gone from `pg_roles`; a
 * lease with `default_ttl=5s` is revoked within 2 s of its expiry without any request. The same for
 * MariaDB (user gone from `mysql.user`) and Redis (user gone from `ACL LIST`).
 *
 * In-process dev server; PostgreSQL is a throwaway scram cluster (so a dropped user provably cannot
 * log in), MariaDB and Redis are the machine's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PgCluster, startPgCluster } from '../helpers/pg-cluster.ts';
import { redact } from '../helpers/redact.ts';
import { type TestServer, testServer } from '../helpers/server.ts';
import {
  type Api,
  api,
  mysqlCanLogin,
  mysqlQuery,
  pgCanLogin,
  pgQuery,
  pgRoleExists,
  redisAclUsers,
  redisCanLogin,
  waitFor,
} from './helpers.ts';

const TTL_SLACK_MS = 2000;
const MYDB = 'coffer_test_creds_db';

let srv: TestServer;
let v: Api;

before(async () => {
  srv = await testServer({ rootToken: 'root' });
  v = api(
    () => srv.url,
    () => srv.rootToken,
  );
  await v.ok('POST', 'sys/mounts/database', { type: 'database' });
});
after(async () => {
  await srv?.close();
});

/** Issues creds from `role`, returns them with the time the lease ends (ms, from lease_duration). */
async function issue(
  role: string,
): Promise<{ lease: string; user: string; pw: string; ttl: number; ends: number }> {
  const t0 = Date.now();
  const r = await v.ok('GET', `database/creds/${role}`);
  assert.match(r.lease_id, new RegExp(`^database/creds/${role}/`));
  assert.equal(r.renewable, true);
  assert.equal(typeof r.data.username, 'string');
  assert.equal(typeof r.data.password, 'string');
  return {
    lease: r.lease_id,
    user: r.data.username,
    pw: r.data.password,
    ttl: r.lease_duration,
    ends: t0 + r.lease_duration * 1000,
  };
}

/** Waits until `gone()`; returns how long after `ends` that was (ms), or fails. */
async function goneAfterExpiry(ends: number, gone: () => Promise<boolean>, what: string): Promise<number> {
  const at = await waitFor(gone, ends - Date.now() + 10_000, 50);
  assert.ok(at !== undefined, `${what}: still there 10 s after the lease expired`);
  const late = at - ends;
  console.log(`# ${what}: gone ${late} ms after lease expiry`);
  assert.ok(late <= TTL_SLACK_MS, `${what}: revoked ${late} ms after expiry (> ${TTL_SLACK_MS})`);
  return late;
}

describe('PostgreSQL (scram cluster)', () => {
  let pgc: PgCluster;
  before(async () => {
    pgc = await startPgCluster();
    await pgQuery(pgc.adminUrl, 'CREATE TABLE coffer_test_items (id int PRIMARY KEY, name text)');
    await pgQuery(pgc.adminUrl, "INSERT INTO coffer_test_items VALUES (1, 'one'), (2, 'two')");
    await v.ok('POST', 'database/config/pg', {
      plugin_name: 'postgresql-database-plugin',
      connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${pgc.port}/postgres`,
      username: 'postgres',
      password: pgc.adminPassword,
      allowed_roles: '*',
      username_template: 'coffer_test_{{.RoleName}}_{{random 12}}',
    });
    const creation = [
      `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
      'GRANT SELECT ON coffer_test_items TO "{{name}}";',
    ];
    await v.ok('POST', 'database/roles/app', {
      db_name: 'pg',
      creation_statements: creation,
      default_ttl: '1h',
      max_ttl: '24h',
    });
    await v.ok('POST', 'database/roles/short', {
      db_name: 'pg',
      creation_statements: creation,
      default_ttl: '5s',
    });
  });
  after(async () => {
    await pgc?.destroy();
  });

  it('creds log in and can SELECT (only); revoke drops the role', async () => {
    const c = await issue('app');
    assert.equal(c.ttl, 3600);
    const url = pgc.url(c.user, c.pw);
    assert.ok(await pgCanLogin(url), 'the issued credential logs in');
    const rows = await pgQuery(url, 'SELECT name FROM coffer_test_items ORDER BY id');
    assert.deepEqual(
      rows.rows.map((r: { name: string }) => r.name),
      ['one', 'two'],
    );
    await assert.rejects(pgQuery(url, "INSERT INTO coffer_test_items VALUES (3, 'x')"), /permission denied/);
    assert.equal(await pgCanLogin(pgc.url(c.user, `${c.pw}x`)), false, 'a wrong password is refused');
    assert.ok(await pgRoleExists(pgc.adminUrl, c.user));

    const look = await v.ok('PUT', 'sys/leases/lookup', { lease_id: c.lease });
    assert.equal(look.data.id, c.lease);

    await v.ok('PUT', 'sys/leases/revoke', { lease_id: c.lease });
    assert.equal(await pgCanLogin(url), false, 'login fails after revoke');
    assert.equal(await pgRoleExists(pgc.adminUrl, c.user), false, 'gone from pg_roles');
    assert.equal((await v.call('PUT', 'sys/leases/lookup', { lease_id: c.lease })).status, 400);
  });

  it('default_ttl=5s: the role is dropped within 2 s of expiry with no request', async () => {
    const c = await issue('short');
    assert.equal(c.ttl, 5);
    assert.ok(await pgCanLogin(pgc.url(c.user, c.pw)));
    await goneAfterExpiry(
      c.ends,
      async () => !(await pgRoleExists(pgc.adminUrl, c.user)),
      'postgres 5s lease',
    );
    assert.equal(await pgCanLogin(pgc.url(c.user, c.pw)), false);
  });
});

describe('MariaDB (127.0.0.1:3306)', () => {
  const made = new Set<string>();
  const userExists = async (u: string) =>
    (await mysqlQuery('SELECT 1 FROM mysql.user WHERE User = ?', [u])).length > 0;
  before(async () => {
    await mysqlQuery(`DROP DATABASE IF EXISTS ${MYDB}`);
    await mysqlQuery(`CREATE DATABASE ${MYDB}`);
    await mysqlQuery(`CREATE TABLE ${MYDB}.items (id int PRIMARY KEY, name text)`);
    await mysqlQuery(`INSERT INTO ${MYDB}.items VALUES (1, 'one')`);
    await v.ok('POST', 'database/config/my', {
      plugin_name: 'mysql-database-plugin',
      connection_url: '{{username}}:{{password}}@tcp(127.0.0.1:3306)/',
      username: 'root',
      password: '',
      allowed_roles: '*',
      username_template: 'coffer_test_{{.RoleName | truncate 6}}_{{random 8}}',
    });
    const creation = [
      "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';",
      `GRANT SELECT ON ${MYDB}.* TO '{{name}}'@'%';`,
    ];
    await v.ok('POST', 'database/roles/myapp', {
      db_name: 'my',
      creation_statements: creation,
      default_ttl: '1h',
    });
    await v.ok('POST', 'database/roles/myshort', {
      db_name: 'my',
      creation_statements: creation,
      default_ttl: '5s',
    });
  });
  after(async () => {
    for (const u of made) await mysqlQuery('DROP USER IF EXISTS ?@?', [u, '%']).catch(() => {});
    await mysqlQuery(`DROP DATABASE IF EXISTS ${MYDB}`).catch(() => {});
  });

  it('creds log in and can SELECT (only); revoke drops the user', async () => {
    const c = await issue('myapp');
    made.add(c.user);
    assert.ok(await mysqlCanLogin(c.user, c.pw, `SELECT * FROM ${MYDB}.items`), 'login + SELECT');
    assert.equal(
      await mysqlCanLogin(c.user, c.pw, `INSERT INTO ${MYDB}.items VALUES (2, 'x')`),
      false,
      'INSERT is not granted',
    );
    assert.ok(await userExists(c.user));
    await v.ok('PUT', 'sys/leases/revoke', { lease_id: c.lease });
    assert.equal(await mysqlCanLogin(c.user, c.pw), false, 'login fails after revoke');
    assert.equal(await userExists(c.user), false, 'gone from mysql.user');
  });

  it('default_ttl=5s: the user is dropped within 2 s of expiry', async () => {
    const c = await issue('myshort');
    made.add(c.user);
    assert.ok(await mysqlCanLogin(c.user, c.pw));
    await goneAfterExpiry(c.ends, async () => !(await userExists(c.user)), 'mariadb 5s lease');
    assert.equal(await mysqlCanLogin(c.user, c.pw), false);
  });
});

describe('Redis (127.0.0.1:6379)', () => {
  const made = new Set<string>();
  const userExists = async (u: string) => (await redisAclUsers()).includes(u);
  const roles = async () => {
    const rules = ['["~coffer_test_*", "+@read"]'];
    await v.ok('POST', 'database/roles/rapp', {
      db_name: 'rd',
      creation_statements: rules,
      default_ttl: '1h',
    });
    await v.ok('POST', 'database/roles/rshort', {
      db_name: 'rd',
      creation_statements: rules,
      default_ttl: '5s',
    });
  };
  const base = {
    plugin_name: 'redis-database-plugin',
    allowed_roles: '*',
    username_template: 'coffer_test_{{.RoleName}}_{{random 12}}',
  };
  after(async () => {
    const { createClient } = await import('redis');
    const c = createClient({ socket: { host: '127.0.0.1', port: 6379 } });
    await c.connect();
    for (const u of made) await c.sendCommand(['ACL', 'DELUSER', u]).catch(() => {});
    c.destroy();
  });

  it("config with Vault's redis keys (host, port, username, password) and no connection_url is accepted", async () => {
    const r = await v.call('POST', 'database/config/rd', {
      ...base,
      host: '127.0.0.1',
      port: 6379,
      username: 'default',
      password: '',
    });
    assert.equal(r.status, 204, `config/rd with host/port: ${r.status} ${redact(r.text)}`);
  });

  it('creds log in; revoke removes the user from ACL LIST; 5s lease expires on time', async () => {
    // Whether or not the Vault-shaped config above was accepted, go on with a connection_url.
    await v.ok('POST', 'database/config/rd', { ...base, connection_url: 'redis://127.0.0.1:6379' });
    await roles();
    const c = await issue('rapp');
    made.add(c.user);
    assert.ok(await redisCanLogin(c.user, c.pw), 'AUTH works');
    assert.equal(await redisCanLogin(c.user, `${c.pw}x`), false);
    assert.ok(await userExists(c.user));
    await v.ok('PUT', 'sys/leases/revoke', { lease_id: c.lease });
    assert.equal(await redisCanLogin(c.user, c.pw), false, 'AUTH fails after revoke');
    assert.equal(await userExists(c.user), false, 'gone from ACL LIST');

    const s = await issue('rshort');
    made.add(s.user);
    assert.ok(await redisCanLogin(s.user, s.pw));
    await goneAfterExpiry(s.ends, async () => !(await userExists(s.user)), 'redis 5s lease');
  });

  it('moving the engine (sys/remount) revokes its leases, as Vault; its config moves with it', async () => {
    await v.ok('POST', 'sys/mounts/db-move', { type: 'database' });
    await v.ok('POST', 'db-move/config/rd', { ...base, connection_url: 'redis://127.0.0.1:6379' });
    await v.ok('POST', 'db-move/roles/rapp', {
      db_name: 'rd',
      creation_statements: ['["~coffer_test_*", "+@read"]'],
      default_ttl: '1h',
    });
    const r = await v.ok('GET', 'db-move/creds/rapp');
    const user: string = r.data.username;
    made.add(user);
    assert.ok(await userExists(user));
    await v.ok('POST', 'sys/remount', { from: 'db-move', to: 'db-moved' });
    assert.equal(await userExists(user), false, 'the user of the old lease is dropped');
    const left = await v.call('PUT', 'sys/leases/lookup', { lease_id: r.lease_id });
    assert.ok(left.status >= 400, `the lease is gone: ${left.status}`);
    const again = await v.ok('GET', 'db-moved/creds/rapp');
    made.add(again.data.username);
    assert.match(again.lease_id, /^db-moved\/creds\/rapp\//);
    await v.ok('PUT', 'sys/leases/revoke', { lease_id: again.lease_id });
    await v.ok('DELETE', 'sys/mounts/db-moved');
  });
});
