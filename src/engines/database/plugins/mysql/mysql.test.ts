/** Against the MariaDB on 127.0.0.1:3306 (root, empty password). Everything created starts with coffer_test_. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { pluginConformance } from '../../conformance.ts';
import type { DatabasePlugin } from '../../plugin.ts';
import { MysqlPluginError, mysqlPlugin, mysqlPlugins } from './mysql.ts';

const HOST = '127.0.0.1';
const PORT = 3306;
const ROOT_URL = 'root:@tcp(127.0.0.1:3306)/';
const PREFIX = 'coffer_test_';
const far = new Date(Date.now() + 3_600_000);

let root: mysql.Connection;
const plugins: DatabasePlugin[] = [];
/** Every user name this file may create; only these are dropped at the end (other runs may be live). */
const made = new Set<string>();

function uniq(tag = ''): string {
  const name = `${PREFIX}${tag}${randomBytes(4).toString('hex')}`;
  made.add(name);
  return name;
}
function pw(): string {
  return `A1-${randomBytes(12).toString('base64url')}`;
}

async function makePlugin(url = ROOT_URL, extra: Record<string, unknown> = {}): Promise<DatabasePlugin> {
  const p = mysqlPlugin();
  plugins.push(p);
  await p.initialize({ connection_url: url, ...extra }, { verifyConnection: true });
  return p;
}

/** Logs in as the user; returns the open connection (caller ends it) or the error. */
async function login(user: string, password: string): Promise<mysql.Connection | Error> {
  try {
    return await mysql.createConnection({ host: HOST, port: PORT, user, password, connectTimeout: 3000 });
  } catch (err) {
    return err as Error;
  }
}
async function canLogin(user: string, password: string): Promise<boolean> {
  const c = await login(user, password);
  if (c instanceof Error) return false;
  await c.end();
  return true;
}
async function hosts(user: string): Promise<string[]> {
  const [rows] = await root.query<mysql.RowDataPacket[]>('SELECT Host FROM mysql.user WHERE User = ?', [
    user,
  ]);
  return rows.map((r) => String(r.Host)).sort();
}
async function allUsers(): Promise<string[]> {
  const [rows] = await root.query<mysql.RowDataPacket[]>(
    'SELECT User, Host FROM mysql.user ORDER BY User, Host',
  );
  return rows.map((r) => `${r.User}@${r.Host}`);
}

async function dropAll(names: readonly string[]): Promise<void> {
  for (const name of names)
    for (const host of await hosts(name)) await root.query('DROP USER IF EXISTS ?@?', [name, host]);
}

before(async () => {
  root = await mysql.createConnection({ host: HOST, port: PORT, user: 'root', password: '' });
});

after(async () => {
  for (const p of plugins) await p.close();
  await dropAll([...made]);
  await root.end();
});

describe('mysql plugin', () => {
  it('has Vault names and limits', () => {
    const p = mysqlPlugin();
    assert.equal(p.name, 'mysql-database-plugin');
    assert.equal(p.maxUsernameLength, 32);
    assert.equal(mysqlPlugins['mysql-legacy-database-plugin']!().maxUsernameLength, 16);
  });

  it('initialize with verifyConnection fails on a wrong password without revealing it', async () => {
    const p = mysqlPlugin();
    const secret = 'NotThePassword-1234';
    await assert.rejects(
      p.initialize(
        {
          connection_url: '{{username}}:{{password}}@tcp(127.0.0.1:3306)/',
          username: 'root',
          password: secret,
        },
        { verifyConnection: true },
      ),
      (e: Error) =>
        e.name === 'BadRequestError' && /Access denied/.test(e.message) && !e.message.includes(secret),
    );
    await p.close();
  });

  it('initialize without verifyConnection does not connect; operations then fail cleanly', async () => {
    const p = mysqlPlugin();
    await p.initialize({ connection_url: 'root:@tcp(127.0.0.1:1)/' }, { verifyConnection: false });
    await assert.rejects(p.deleteUser({ username: uniq(), statements: [] }), MysqlPluginError);
    await p.close();
  });

  it('default statements: the user logs in, can SELECT, cannot write; delete drops it and its sessions', async () => {
    const p = await makePlugin();
    const name = uniq();
    const password = pw();
    await p.newUser({ username: name, password, expiration: far, statements: [], rollbackStatements: [] });
    assert.deepEqual(await hosts(name), ['%']);
    const c = await login(name, password);
    assert.ok(!(c instanceof Error), 'login works');
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM mysql.user');
    assert.ok(Number(rows[0]!.n) > 0);
    c.on('error', () => undefined);
    try {
      await assert.rejects(c.query(`CREATE DATABASE ${name}`), /denied/);
      await p.deleteUser({ username: name, statements: [] });
      assert.deepEqual(await hosts(name), []);
      assert.equal(await canLogin(name, password), false);
      // The open session was killed.
      await assert.rejects(c.query('SELECT 1'));
    } finally {
      c.destroy();
    }
    // Idempotent.
    await p.deleteUser({ username: name, statements: [] });
  });

  it('default revocation drops the user at every host', async () => {
    const p = await makePlugin();
    const name = uniq();
    await p.newUser({
      username: name,
      password: pw(),
      expiration: far,
      statements: [
        "CREATE USER '{{name}}'@'localhost' IDENTIFIED BY '{{password}}'; CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'",
      ],
      rollbackStatements: [],
    });
    assert.deepEqual(await hosts(name), ['%', 'localhost']);
    await p.deleteUser({ username: name, statements: [] });
    assert.deepEqual(await hosts(name), []);
  });

  it('custom revocation statements run as given', async () => {
    const p = await makePlugin();
    const name = uniq();
    await p.newUser({
      username: name,
      password: pw(),
      expiration: far,
      statements: [],
      rollbackStatements: [],
    });
    await p.deleteUser({
      username: name,
      statements: ["REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{{name}}'@'%'; DROP USER '{{name}}'@'%'"],
    });
    assert.deepEqual(await hosts(name), []);
  });

  it('updateUser: the old password stops working, the new one works; renewal is a no-op', async () => {
    const p = await makePlugin();
    const name = uniq();
    const old = pw();
    const next = pw();
    await p.newUser({
      username: name,
      password: old,
      expiration: far,
      statements: [],
      rollbackStatements: [],
    });
    await p.updateUser({ username: name, expiration: new Date(Date.now() + 7_200_000), statements: [] });
    assert.equal(await canLogin(name, old), true);
    await p.updateUser({ username: name, password: next, statements: [] });
    assert.equal(await canLogin(name, old), false);
    assert.equal(await canLogin(name, next), true);
    await p.deleteUser({ username: name, statements: [] });
  });

  it('hostile names and passwords are literal; nothing else changes', async () => {
    const p = await makePlugin();
    const beforeUsers = (await allUsers()).filter((u) => !u.startsWith(PREFIX));
    const password = `x'; DROP USER 'root'@'localhost'; -- \\' \\\\ "\``;
    const names = [`${PREFIX}x"; DROP ROLE postgres; --`, `${PREFIX}a'b`, `${PREFIX}a\`b`, `${PREFIX}b\\'c`];
    for (const n of names) made.add(n);
    for (const name of names) {
      await p.newUser({ username: name, password, expiration: far, statements: [], rollbackStatements: [] });
      assert.deepEqual(await hosts(name), ['%'], name);
      assert.equal(await canLogin(name, password), true, name);
    }
    // Backquoted and double-quoted templates too.
    const bq = `${PREFIX}q\`"x`;
    made.add(bq);
    await p.newUser({
      username: bq,
      password,
      expiration: far,
      statements: [
        "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'",
        'GRANT SELECT ON mysql.user TO `{{name}}`@`%`',
      ],
      rollbackStatements: [],
    });
    assert.deepEqual(await hosts(bq), ['%']);
    for (const name of [...names, bq]) await p.deleteUser({ username: name, statements: [] });
    for (const name of [...names, bq]) assert.deepEqual(await hosts(name), []);
    assert.deepEqual(
      (await allUsers()).filter((u) => !u.startsWith(PREFIX)),
      beforeUsers,
    );
    assert.equal(await canLogin('root', ''), true);
  });

  it('a failed creation runs rollback, leaves no user, and keeps a pre-existing account', async () => {
    const p = await makePlugin();
    const name = uniq();
    const password = pw();
    await assert.rejects(
      p.newUser({
        username: name,
        password,
        expiration: far,
        statements: [
          "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'",
          "GRANT NOPE ON *.* TO '{{name}}'@'%' {{password}}",
        ],
        rollbackStatements: ["DROP USER IF EXISTS '{{name}}'@'nowhere'"],
      }),
      (e: Error) =>
        e instanceof MysqlPluginError &&
        /creation statement 2 of 2 failed/.test(e.message) &&
        !e.message.includes(password),
    );
    assert.deepEqual(await hosts(name), []);

    // A name that already exists: creation fails and the existing account survives.
    const existing = uniq();
    await root.query("CREATE USER ?@'%' IDENTIFIED BY 'keep-me-1'", [existing]);
    await assert.rejects(
      p.newUser({ username: existing, password, expiration: far, statements: [], rollbackStatements: [] }),
      MysqlPluginError,
    );
    assert.deepEqual(await hosts(existing), ['%']);
    assert.equal(await canLogin(existing, 'keep-me-1'), true);
  });

  it('undoes NO_BACKSLASH_ESCAPES left on a pooled session', async () => {
    const p = await makePlugin(ROOT_URL, { max_open_connections: 1 });
    const a = uniq();
    await p.newUser({
      username: a,
      password: pw(),
      expiration: far,
      statements: [
        "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'",
        "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'",
      ],
      rollbackStatements: [],
    });
    const b = uniq();
    const password = 'back\\slash\\';
    await p.newUser({ username: b, password, expiration: far, statements: [], rollbackStatements: [] });
    assert.equal(await canLogin(b, password), true);
  });

  it('refuses a template with an unterminated quote', async () => {
    const p = await makePlugin();
    await assert.rejects(
      p.newUser({
        username: uniq(),
        password: pw(),
        expiration: far,
        statements: ["CREATE USER '{{name}}"],
        rollbackStatements: [],
      }),
      (e: Error) => e.name === 'BadRequestError',
    );
  });

  it('20 concurrent creations all succeed; measures create/drop rates', async () => {
    const p = await makePlugin(ROOT_URL, { max_open_connections: 4 });
    const users = Array.from({ length: 20 }, () => ({ name: uniq('c'), password: pw() }));
    let t = performance.now();
    await Promise.all(
      users.map((u) =>
        p.newUser({
          username: u.name,
          password: u.password,
          expiration: far,
          statements: [],
          rollbackStatements: [],
        }),
      ),
    );
    const createMs = performance.now() - t;
    for (const u of users.slice(0, 3)) assert.equal(await canLogin(u.name, u.password), true);
    t = performance.now();
    await Promise.all(users.map((u) => p.deleteUser({ username: u.name, statements: [] })));
    const dropMs = performance.now() - t;
    for (const u of users) assert.deepEqual(await hosts(u.name), []);
    console.log(
      `mysql: ${((20 / createMs) * 1000).toFixed(0)} users created/s, ${((20 / dropMs) * 1000).toFixed(0)} dropped/s`,
    );
  });

  it('root rotation: a non-root admin rotates its own password', async () => {
    const admin = uniq('admin');
    const first = pw();
    await root.query("CREATE USER ?@'%' IDENTIFIED BY ?", [admin, first]);
    await root.query("GRANT CREATE USER, SELECT, PROCESS ON *.* TO ?@'%' WITH GRANT OPTION", [admin]);
    await root.query("GRANT SELECT ON mysql.* TO ?@'%'", [admin]);
    const p = await makePlugin('{{username}}:{{password}}@tcp(127.0.0.1:3306)/', {
      username: admin,
      password: first,
    });
    const second = pw();
    await p.updateUser({ username: admin, password: second, statements: [] });
    assert.equal(await canLogin(admin, first), false);
    assert.equal(await canLogin(admin, second), true);
    // The plugin keeps working: new pooled connections use the new password.
    const u = uniq();
    const up = pw();
    await p.newUser({ username: u, password: up, expiration: far, statements: [], rollbackStatements: [] });
    assert.equal(await canLogin(u, up), true);
    await p.deleteUser({ username: u, statements: [] });
    assert.deepEqual(await hosts(u), []);
  });
});

pluginConformance('mysql', async () => {
  const plugin = mysqlPlugin();
  const created = new Set<string>();
  const conn = await mysql.createConnection({ host: HOST, port: PORT, user: 'root', password: '' });
  const userExists = async (u: string) => {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT 1 FROM mysql.user WHERE User = ?', [u]);
    return rows.length > 0;
  };
  return {
    plugin: {
      name: plugin.name,
      maxUsernameLength: plugin.maxUsernameLength,
      initialize: (c, o) => plugin.initialize(c, o),
      newUser: (r) => {
        created.add(r.username);
        return plugin.newUser(r);
      },
      updateUser: (r) => plugin.updateUser(r),
      deleteUser: (r) => plugin.deleteUser(r),
      close: () => plugin.close(),
    },
    config: {
      connection_url: '{{username}}:{{password}}@tcp(127.0.0.1:3306)/',
      username: 'root',
      password: '',
    },
    canLogin,
    userExists,
    cleanup: async () => {
      for (const u of created) {
        const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT Host FROM mysql.user WHERE User = ?', [
          u,
        ]);
        for (const r of rows) await conn.query('DROP USER IF EXISTS ?@?', [u, r.Host]);
      }
      await conn.end();
    },
  };
});
