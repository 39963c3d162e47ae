import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type PgCluster, startPgCluster } from '../../../../../test/helpers/pg-cluster.ts';
import {
  clientConfig,
  formatExpiration,
  PostgresPluginError,
  PostgresqlPlugin,
  postgresqlPlugin,
} from './postgresql.ts';

const LOCAL = 'postgres://postgres@127.0.0.1:5432/postgres';
const hour = () => new Date(Date.now() + 3600_000);
const uniq = (p = 'coffer_test_') => `${p}${randomBytes(5).toString('hex')}`;
const pw = () => `Pw-${randomBytes(12).toString('base64url')}'"\\;`;

async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}
async function roleExists(url: string, name: string): Promise<boolean> {
  return ((await sql(url, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount ?? 0) > 0;
}
async function canLogin(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch (err) {
    assert.ok(['28P01', '28000'].includes((err as { code?: string }).code ?? ''), String(err));
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

describe('postgresql plugin: config and errors', () => {
  it('substitutes URI-encoded credentials and checks the shape', () => {
    const cfg = clientConfig({
      connection_url: 'postgres://{{username}}:{{password}}@h:5432/db',
      username: 'a@b',
      password: 'p/w:@?',
    });
    assert.equal(cfg.connectionString, `postgres://a%40b:${encodeURIComponent('p/w:@?')}@h:5432/db`);
    const kv = clientConfig({
      connection_url: "host=h port=6 user={{username}} password='{{password}}' dbname=d",
      username: 'u',
      password: 'x y',
    });
    assert.deepEqual({ ...kv }, { host: 'h', port: 6, user: 'u', password: 'x y', database: 'd' });
    assert.throws(() => clientConfig({ connection_url: 'mysql://x' }), PostgresPluginError);
    assert.throws(() => clientConfig({ connection_url: '' }), /connection_url is required/);
  });

  it('formats expirations as VALID UNTIL wants them', () => {
    assert.equal(formatExpiration(new Date('2031-02-03T04:05:06.789Z')), '2031-02-03 04:05:06+00');
  });

  it('never puts the password in connection errors', async () => {
    const p = postgresqlPlugin();
    const secret = 'Sup3rS3cret-pw';
    await assert.rejects(
      p.initialize(
        { connection_url: 'postgres://u:{{password}}@127.0.0.1:1/db', password: secret },
        { verifyConnection: true },
      ),
      (err: PostgresPluginError) => {
        assert.equal(err.kind, 'connection');
        assert.equal(err.code, 'ECONNREFUSED');
        assert.ok(!JSON.stringify({ m: err.message, s: err.stack, ...err }).includes(secret));
        return true;
      },
    );
    await p.close();
  });
});

describe('postgresql plugin: machine server', () => {
  const plugin = postgresqlPlugin();
  const made: string[] = [];
  before(async () => {
    await plugin.initialize({ connection_url: LOCAL, max_open_connections: 6 }, { verifyConnection: true });
    await sql(LOCAL, 'CREATE TABLE IF NOT EXISTS coffer_test_marker (name text)');
  });
  after(async () => {
    for (const n of made) await plugin.deleteUser({ username: n, statements: [] }).catch(() => {});
    await sql(LOCAL, 'DROP TABLE IF EXISTS coffer_test_marker');
    await plugin.close();
  });

  it('declares its name and username limit', () => {
    assert.equal(plugin.name, 'postgresql-database-plugin');
    assert.equal(plugin.maxUsernameLength, 63);
  });

  it('creates with the default statements, then deletes idempotently', async () => {
    const name = uniq();
    made.push(name);
    const exp = new Date('2035-06-07T08:09:10Z');
    await plugin.newUser({
      username: name,
      password: pw(),
      expiration: exp,
      statements: [],
      rollbackStatements: [],
    });
    const r = await sql(LOCAL, 'SELECT rolcanlogin, rolvaliduntil FROM pg_roles WHERE rolname = $1', [name]);
    assert.equal(r.rows[0].rolcanlogin, true);
    assert.equal((r.rows[0].rolvaliduntil as Date).toISOString(), '2035-06-07T08:09:10.000Z');
    await plugin.updateUser({ username: name, expiration: new Date('2036-01-01T00:00:00Z'), statements: [] });
    const r2 = await sql(LOCAL, 'SELECT rolvaliduntil FROM pg_roles WHERE rolname = $1', [name]);
    assert.equal((r2.rows[0].rolvaliduntil as Date).toISOString(), '2036-01-01T00:00:00.000Z');
    await plugin.deleteUser({ username: name, statements: [] });
    assert.equal(await roleExists(LOCAL, name), false);
    await plugin.deleteUser({ username: name, statements: [] });
  });

  it('takes hostile names literally and leaves postgres alone', async () => {
    for (const name of [`coffer_test_x"; DROP ROLE postgres; --`, "coffer_test_a'b", 'coffer_test_b\\s']) {
      made.push(name);
      await plugin.newUser({
        username: name,
        password: "p'; DROP ROLE postgres; --",
        expiration: hour(),
        statements: [
          `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'; COMMENT ON ROLE "{{name}}" IS '{{name}}';`,
        ],
        rollbackStatements: [],
      });
      const r = await sql(LOCAL, 'SELECT shobj_description(oid, $2) AS c FROM pg_roles WHERE rolname = $1', [
        name,
        'pg_authid',
      ]);
      assert.equal(r.rows[0]?.c, name);
      await plugin.deleteUser({ username: name, statements: [] });
      assert.equal(await roleExists(LOCAL, name), false);
    }
    assert.equal(await roleExists(LOCAL, 'postgres'), true);
  });

  it('refuses names PostgreSQL would truncate', async () => {
    await assert.rejects(
      plugin.newUser({
        username: `coffer_test_${'é'.repeat(26)}`,
        password: 'x',
        expiration: hour(),
        statements: [],
        rollbackStatements: [],
      }),
      /longer than 63 bytes/,
    );
  });

  it('rolls a failed creation back, runs rollback statements and leaves no role', async () => {
    const name = uniq();
    const secret = `pw-${randomBytes(6).toString('hex')}`;
    await assert.rejects(
      plugin.newUser({
        username: name,
        password: secret,
        expiration: hour(),
        statements: [`CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}';`, `SELECT '{{password}}'::int;`],
        rollbackStatements: [`INSERT INTO coffer_test_marker VALUES ('{{name}}')`],
      }),
      (err: PostgresPluginError) => {
        assert.equal(err.code, '22P02');
        assert.equal(err.retryable, false);
        assert.ok(!err.message.includes(secret), err.message);
        assert.match(err.message, /\[redacted\]/);
        return true;
      },
    );
    assert.equal(await roleExists(LOCAL, name), false);
    const m = await sql(LOCAL, 'SELECT 1 FROM coffer_test_marker WHERE name = $1', [name]);
    assert.equal(m.rowCount, 1);
  });

  it('refuses a name that already exists without touching that role', async () => {
    await assert.rejects(
      plugin.newUser({
        username: 'postgres',
        password: 'x',
        expiration: hour(),
        statements: [],
        rollbackStatements: [],
      }),
      (err: PostgresPluginError) => err.code === '42710',
    );
    assert.equal(await roleExists(LOCAL, 'postgres'), true);
  });

  it('runs custom revocation statements as given', async () => {
    const name = uniq();
    made.push(name);
    await plugin.newUser({
      username: name,
      password: pw(),
      expiration: hour(),
      statements: [],
      rollbackStatements: [],
    });
    await plugin.deleteUser({ username: name, statements: ['ALTER ROLE "{{name}}" NOLOGIN;'] });
    const r = await sql(LOCAL, 'SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [name]);
    assert.equal(r.rows[0].rolcanlogin, false);
  });

  it('reports bad templates as config errors', async () => {
    await assert.rejects(
      plugin.newUser({
        username: uniq(),
        password: 'x',
        expiration: hour(),
        statements: [`CREATE ROLE "{{name}}`],
        rollbackStatements: [],
      }),
      (err: PostgresPluginError) => err.kind === 'config',
    );
  });
});

describe('postgresql plugin: scram cluster', () => {
  let cluster: PgCluster;
  const plugin = new PostgresqlPlugin();
  before(async () => {
    cluster = await startPgCluster();
    await plugin.initialize(
      { connection_url: cluster.adminUrl, max_open_connections: 8 },
      { verifyConnection: true },
    );
    await sql(
      cluster.adminUrl,
      'CREATE TABLE t1 (v int); INSERT INTO t1 VALUES (42); CREATE TABLE t2 (v int); CREATE TABLE t3 (v int)',
    );
  });
  after(async () => {
    await plugin.close();
    await cluster?.destroy();
  });

  const grantSelect = [
    `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`,
  ];

  it('refuses a wrong admin password without echoing it', async () => {
    const p = postgresqlPlugin();
    const secret = 'definitely-wrong-pw';
    await assert.rejects(
      p.initialize(
        {
          connection_url: cluster
            .url('postgres', '{{password}}')
            .replace('%7B%7Bpassword%7D%7D', '{{password}}'),
          password: secret,
        },
        { verifyConnection: true },
      ),
      (err: PostgresPluginError) =>
        err.code === '28P01' && err.kind === 'connection' && !err.message.includes(secret),
    );
    await p.close();
  });

  it('creates a user that logs in and can do what it was granted; delete locks it out', async () => {
    const name = uniq('v-');
    const password = pw();
    await plugin.newUser({
      username: name,
      password,
      expiration: hour(),
      statements: grantSelect,
      rollbackStatements: [],
    });
    assert.deepEqual((await sql(cluster.url(name, password), 'SELECT v FROM t1')).rows, [{ v: 42 }]);
    await assert.rejects(sql(cluster.url(name, password), 'INSERT INTO t1 VALUES (1)'), { code: '42501' });
    assert.equal(await canLogin(cluster.url(name, 'wrong')), false);
    await plugin.deleteUser({ username: name, statements: [] });
    assert.equal(await canLogin(cluster.url(name, password)), false);
    assert.equal(await roleExists(cluster.adminUrl, name), false);
  });

  it('rotates a password (old fails, new works) and an expiration in the past locks out', async () => {
    const name = uniq('v-');
    const old = pw();
    const next = pw();
    await plugin.newUser({
      username: name,
      password: old,
      expiration: hour(),
      statements: [],
      rollbackStatements: [],
    });
    await plugin.updateUser({ username: name, password: next, statements: [] });
    assert.equal(await canLogin(cluster.url(name, old)), false);
    assert.equal(await canLogin(cluster.url(name, next)), true);
    await plugin.updateUser({ username: name, expiration: new Date(Date.now() - 60_000), statements: [] });
    assert.equal(await canLogin(cluster.url(name, next)), false);
    await plugin.deleteUser({ username: name, statements: [] });
  });

  it('deletes a user with an open session and ends that session', async () => {
    const name = uniq('v-');
    const password = pw();
    await plugin.newUser({
      username: name,
      password,
      expiration: hour(),
      statements: grantSelect,
      rollbackStatements: [],
    });
    const session = new pg.Client({ connectionString: cluster.url(name, password) });
    session.on('error', () => {});
    await session.connect();
    await session.query('SELECT v FROM t1');
    await plugin.deleteUser({ username: name, statements: [] });
    assert.equal(await roleExists(cluster.adminUrl, name), false);
    await assert.rejects(session.query('SELECT v FROM t1'));
    await session.end().catch(() => {});
  });

  it('rotates the root credential of a CREATEROLE (non-superuser) admin and keeps working', async () => {
    const admin = uniq('admin_');
    const first = pw();
    await sql(
      cluster.adminUrl,
      `CREATE ROLE "${admin}" LOGIN CREATEROLE PASSWORD '${first.replaceAll("'", "''")}'`,
    );
    await sql(cluster.adminUrl, `GRANT SELECT ON t1 TO "${admin}" WITH GRANT OPTION`);
    const p = postgresqlPlugin();
    const url = `postgres://{{username}}:{{password}}@127.0.0.1:${cluster.port}/postgres`;
    await p.initialize({ connection_url: url, username: admin, password: first }, { verifyConnection: true });
    const user1 = uniq('v-');
    const pw1 = pw();
    const stmts = [`CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'; GRANT SELECT ON t1 TO "{{name}}";`];
    await p.newUser({
      username: user1,
      password: pw1,
      expiration: hour(),
      statements: stmts,
      rollbackStatements: [],
    });
    const second = pw();
    await p.updateUser({ username: admin, password: second, statements: [] });
    assert.equal(await canLogin(cluster.url(admin, first)), false);
    assert.equal(await canLogin(cluster.url(admin, second)), true);
    // The plugin now logs in with the new password (fresh connections after rotation).
    const user2 = uniq('v-');
    await p.newUser({
      username: user2,
      password: pw(),
      expiration: hour(),
      statements: stmts,
      rollbackStatements: [],
    });
    assert.deepEqual((await sql(cluster.url(user1, pw1), 'SELECT v FROM t1')).rows, [{ v: 42 }]);
    for (const u of [user1, user2]) {
      await p.deleteUser({ username: u, statements: [] });
      assert.equal(await roleExists(cluster.adminUrl, u), false);
    }
    await p.close();
    await sql(cluster.adminUrl, `DROP OWNED BY "${admin}"; DROP ROLE "${admin}"`);
  });

  it('creates 20 users concurrently (two plugin instances) with GRANT ON ALL TABLES, then deletes them', async () => {
    let retries = 0;
    const plugins = [0, 1].map(() => new PostgresqlPlugin({ onRetry: () => retries++ }));
    for (const p of plugins) {
      await p.initialize(
        { connection_url: cluster.adminUrl, max_open_connections: 10 },
        { verifyConnection: true },
      );
    }
    const users = Array.from({ length: 20 }, () => ({ name: uniq('c-'), password: pw() }));
    const t0 = performance.now();
    const results = await Promise.allSettled(
      users.map((u, i) =>
        plugins[i % 2]!.newUser({
          username: u.name,
          password: u.password,
          expiration: hour(),
          statements: grantSelect,
          rollbackStatements: [],
        }),
      ),
    );
    const createMs = performance.now() - t0;
    const failed = results.filter((r) => r.status === 'rejected');
    const createRetries = retries;
    assert.equal(failed.length, 0, String((failed[0] as PromiseRejectedResult | undefined)?.reason));
    const count = async () =>
      (await sql(cluster.adminUrl, 'SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE $1', ['c-%']))
        .rows[0].n;
    assert.equal(await count(), 20);
    const one = users[7]!;
    assert.deepEqual((await sql(cluster.url(one.name, one.password), 'SELECT v FROM t1')).rows, [{ v: 42 }]);
    const t1 = performance.now();
    await Promise.all(users.map((u, i) => plugins[i % 2]!.deleteUser({ username: u.name, statements: [] })));
    const dropMs = performance.now() - t1;
    assert.equal(await count(), 0);
    process.stderr.write(
      `# concurrent: 20 creates in ${createMs.toFixed(0)} ms (${createRetries} retries), 20 drops in ${dropMs.toFixed(0)} ms (${retries - createRetries} retries)\n`,
    );
    // Creations and revocations are serialized (in process and by an advisory lock): no conflicts.
    assert.equal(retries, 0);
    for (const p of plugins) await p.close();
  });

  it('retries concurrency conflicts when serialization is off', async () => {
    let retries = 0;
    const p = new PostgresqlPlugin({ onRetry: () => retries++ });
    await p.initialize(
      { connection_url: cluster.adminUrl, max_open_connections: 10, serialize_creates: false },
      { verifyConnection: true },
    );
    const users = Array.from({ length: 10 }, () => uniq('s-'));
    const create = (u: string) =>
      p.newUser({
        username: u,
        password: 'x',
        expiration: hour(),
        statements: grantSelect,
        rollbackStatements: [],
      });
    const results = await Promise.allSettled(users.map(create));
    process.stderr.write(`# unserialized: 10 concurrent creates needed ${retries} retries\n`);
    for (const [i, r] of results.entries()) {
      assert.equal(
        await roleExists(cluster.adminUrl, users[i]!),
        r.status === 'fulfilled',
        'no half-created role',
      );
    }
    assert.ok(results.every((r) => r.status === 'fulfilled'));
    // One by one: concurrent unserialized DROP OWNED waits out deadlock_timeout per conflict.
    for (const u of users) await p.deleteUser({ username: u, statements: [] });
    await p.close();
  });

  it('fails with a connection error while the server is down and recovers after', async () => {
    await cluster.stop();
    await assert.rejects(
      plugin.newUser({
        username: uniq('v-'),
        password: 'x',
        expiration: hour(),
        statements: [],
        rollbackStatements: [],
      }),
      (err: PostgresPluginError) =>
        err.kind === 'connection' && err.code === 'ECONNREFUSED' && !err.retryable,
    );
    await cluster.start();
    const name = uniq('v-');
    await plugin.newUser({
      username: name,
      password: 'x',
      expiration: hour(),
      statements: [],
      rollbackStatements: [],
    });
    await plugin.deleteUser({ username: name, statements: [] });
  });
});
