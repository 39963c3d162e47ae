/**
 * Done when: names such as `x"; DROP ROLE postgres; --` and `a'b` as role, user or db names are
 * refused or safely quoted — proven by tests against the real database.
 *
 * In-process dev server against a throwaway scram cluster (superuser config, the worst case). A
 * canary table and a canary role must survive everything; hostile static-role usernames are
 * created literally first, so the rotation must quote them to work at all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PgCluster, startPgCluster } from '../helpers/pg-cluster.ts';
import { redact } from '../helpers/redact.ts';
import { type TestServer, testServer } from '../helpers/server.ts';
import { type Api, api, mysqlCanLogin, mysqlQuery, pgCanLogin, pgQuery, pgRoleExists } from './helpers.ts';

const HOSTILE = [
  'x"; DROP ROLE postgres; --',
  "a'b",
  'x"; DROP TABLE coffer_test_canary; --',
  "a'; DROP TABLE coffer_test_canary; --",
  'coffer_test_ok/../x',
];
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

let srv: TestServer;
let v: Api;
let pgc: PgCluster;

async function canaryIntact(): Promise<void> {
  assert.ok(await pgRoleExists(pgc.adminUrl, 'postgres'), 'role postgres still exists');
  assert.ok(await pgRoleExists(pgc.adminUrl, 'coffer_test_canary_role'), 'canary role still exists');
  const r = await pgQuery(pgc.adminUrl, 'SELECT count(*)::int AS n FROM coffer_test_canary');
  assert.equal(r.rows[0].n, 1, 'canary table still exists with its row');
  assert.ok(await pgCanLogin(pgc.adminUrl), 'the superuser still logs in');
}

before(async () => {
  [srv, pgc] = await Promise.all([testServer({ rootToken: 'root' }), startPgCluster()]);
  v = api(
    () => srv.url,
    () => srv.rootToken,
  );
  await v.ok('POST', 'sys/mounts/database', { type: 'database' });
  await pgQuery(pgc.adminUrl, 'CREATE TABLE coffer_test_canary (id int)');
  await pgQuery(pgc.adminUrl, 'INSERT INTO coffer_test_canary VALUES (1)');
  await pgQuery(pgc.adminUrl, 'CREATE ROLE coffer_test_canary_role LOGIN');
  await v.ok('POST', 'database/config/pg', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${pgc.port}/postgres`,
    username: 'postgres',
    password: pgc.adminPassword,
    allowed_roles: '*',
  });
});
after(async () => {
  await srv?.close();
  await pgc?.destroy();
});

describe('hostile names in paths and fields are refused', () => {
  for (const name of HOSTILE) {
    const enc = encodeURIComponent(name);
    it(`role / static role / config / db_name ${JSON.stringify(name)} → 400`, async () => {
      for (const [method, path, body] of [
        ['POST', `database/roles/${enc}`, { db_name: 'pg' }],
        ['GET', `database/creds/${enc}`, undefined],
        [
          'POST',
          `database/static-roles/${enc}`,
          { db_name: 'pg', username: 'coffer_test_canary_role', rotation_period: '1h' },
        ],
        ['GET', `database/static-creds/${enc}`, undefined],
        ['POST', `database/rotate-role/${enc}`, undefined],
        [
          'POST',
          `database/config/${enc}`,
          { plugin_name: 'postgresql-database-plugin', connection_url: pgc.adminUrl },
        ],
        ['POST', `database/rotate-root/${enc}`, undefined],
        ['POST', `database/reset/${enc}`, undefined],
        ['POST', 'database/roles/coffer_ok', { db_name: name }],
      ] as const) {
        const r = await v.call(method, path, body);
        assert.ok(
          r.status === 400 || r.status === 404 || r.status === 405,
          `${method} ${path} → ${r.status} ${redact(r.text)}`,
        );
        assert.notEqual(r.status, 500);
      }
      await canaryIntact();
    });
  }
});

describe('hostile database usernames are quoted (static roles)', () => {
  const users = HOSTILE.slice(0, 4);
  before(async () => {
    for (const u of users)
      await pgQuery(pgc.adminUrl, `CREATE ROLE ${ident(u)} LOGIN PASSWORD ${lit('initial-pw')}`);
  });

  for (const [i, user] of users.entries()) {
    it(`static role on user ${JSON.stringify(user)}: rotation works on exactly that user`, async () => {
      await v.ok('POST', `database/static-roles/evil${i}`, {
        db_name: 'pg',
        username: user,
        rotation_period: '1h',
      });
      const c = await v.ok('GET', `database/static-creds/evil${i}`);
      assert.equal(c.data.username, user);
      assert.ok(await pgCanLogin(pgc.url(user, c.data.password)), 'the rotated password logs in');
      assert.equal(await pgCanLogin(pgc.url(user, 'initial-pw')), false, 'the old one does not');
      await v.ok('POST', `database/rotate-role/evil${i}`);
      const c2 = await v.ok('GET', `database/static-creds/evil${i}`);
      assert.ok(await pgCanLogin(pgc.url(user, c2.data.password)));
      await v.ok('DELETE', `database/static-roles/evil${i}`);
      assert.ok(await pgRoleExists(pgc.adminUrl, user));
      await canaryIntact();
    });
  }
});

describe('hostile generated usernames are quoted or refused (dynamic roles)', () => {
  it('PostgreSQL: username_template with quotes and statements', async () => {
    for (const [i, tpl] of [
      `coffer_test_x"; DROP TABLE coffer_test_canary; --{{random 4}}`,
      `coffer_test_a'b'; DROP ROLE postgres; --{{random 4}}`,
    ].entries()) {
      await v.ok('POST', `database/config/pg${i}`, {
        plugin_name: 'postgresql-database-plugin',
        connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${pgc.port}/postgres`,
        username: 'postgres',
        password: pgc.adminPassword,
        allowed_roles: '*',
        username_template: tpl,
      });
      await v.ok('POST', `database/roles/dyn${i}`, { db_name: `pg${i}`, default_ttl: '1h' });
      const r = await v.call('GET', `database/creds/dyn${i}`);
      if (r.status === 200) {
        const u = r.json.data.username as string;
        assert.ok(await pgRoleExists(pgc.adminUrl, u), `user created literally as ${JSON.stringify(u)}`);
        assert.ok(await pgCanLogin(pgc.url(u, r.json.data.password)));
        await v.ok('PUT', 'sys/leases/revoke', { lease_id: r.json.lease_id });
        assert.equal(await pgRoleExists(pgc.adminUrl, u), false, 'and dropped literally');
        console.log(`# pg template ${i}: created and dropped ${JSON.stringify(u)}`);
      } else {
        assert.equal(r.status, 400, r.text);
        console.log(`# pg template ${i}: refused (${redact(r.text)})`);
      }
      await canaryIntact();
    }
  });

  it('MariaDB: username_template with quotes and statements', async () => {
    await mysqlQuery('CREATE DATABASE IF NOT EXISTS coffer_test_inj');
    await mysqlQuery('CREATE TABLE IF NOT EXISTS coffer_test_inj.canary (id int)');
    const made: string[] = [];
    try {
      for (const [i, tpl] of [
        `coffer_test_x'; DROP DATABASE coffer_test_inj; --{{random 4}}`,
        "coffer_test_a`b\\'{{random 4}}",
      ].entries()) {
        await v.ok('POST', `database/config/my${i}`, {
          plugin_name: 'mysql-database-plugin',
          connection_url: 'root:@tcp(127.0.0.1:3306)/',
          allowed_roles: '*',
          username_template: tpl,
        });
        await v.ok('POST', `database/roles/mdyn${i}`, { db_name: `my${i}`, default_ttl: '1h' });
        const r = await v.call('GET', `database/creds/mdyn${i}`);
        if (r.status === 200) {
          const u = r.json.data.username as string;
          made.push(u);
          assert.equal((await mysqlQuery('SELECT 1 FROM mysql.user WHERE User = ?', [u])).length, 1);
          assert.ok(await mysqlCanLogin(u, r.json.data.password));
          await v.ok('PUT', 'sys/leases/revoke', { lease_id: r.json.lease_id });
          assert.equal((await mysqlQuery('SELECT 1 FROM mysql.user WHERE User = ?', [u])).length, 0);
          console.log(`# mysql template ${i}: created and dropped ${JSON.stringify(u)}`);
        } else {
          assert.equal(r.status, 400, r.text);
          console.log(`# mysql template ${i}: refused (${redact(r.text)})`);
        }
        const t = await mysqlQuery(
          "SELECT 1 FROM information_schema.tables WHERE table_schema = 'coffer_test_inj' AND table_name = 'canary'",
        );
        assert.equal(t.length, 1, 'canary table intact');
      }
    } finally {
      for (const u of made) await mysqlQuery('DROP USER IF EXISTS ?@?', [u, '%']).catch(() => {});
      await mysqlQuery('DROP DATABASE IF EXISTS coffer_test_inj');
    }
  });
});
