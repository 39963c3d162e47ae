/** Against the Redis on 127.0.0.1:6379 (default user without a password). Users start with coffer_test_. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { pluginConformance } from '../../conformance.ts';
import type { DatabasePlugin } from '../../plugin.ts';
import { parseRules, redisPlugin } from './redis.ts';

const CONFIG = { connection_url: '', host: '127.0.0.1', port: 6379 };
const far = new Date(Date.now() + 3_600_000);
const newClient = () => createClient({ socket: { host: '127.0.0.1', port: 6379, reconnectStrategy: false } });
type Client = ReturnType<typeof newClient>;

let admin: Client;
const plugins: DatabasePlugin[] = [];
const made = new Set<string>();

function uniq(tag = ''): string {
  const name = `coffer_test_${tag}${randomBytes(4).toString('hex')}`;
  made.add(name);
  return name;
}
const pw = () => `P-${randomBytes(12).toString('base64url')}`;

async function makePlugin(config: Record<string, unknown> = CONFIG): Promise<DatabasePlugin> {
  const p = redisPlugin();
  plugins.push(p);
  await p.initialize({ connection_url: '', ...config }, { verifyConnection: true });
  return p;
}

/** A client logged in as the user, or the login error. */
async function login(username: string, password: string): Promise<Client | Error> {
  const c = newClient();
  c.on('error', () => undefined);
  await c.connect();
  try {
    await c.sendCommand(['AUTH', username, password]);
    return c;
  } catch (err) {
    c.destroy();
    return err as Error;
  }
}
async function canLogin(username: string, password: string): Promise<boolean> {
  const c = await login(username, password);
  if (c instanceof Error) return false;
  c.destroy();
  return true;
}
async function userExists(username: string): Promise<boolean> {
  return (await admin.sendCommand(['ACL', 'GETUSER', username])) !== null;
}
async function aclUsers(): Promise<string[]> {
  return ((await admin.sendCommand(['ACL', 'USERS'])) as string[]).sort();
}

before(async () => {
  admin = newClient();
  admin.on('error', () => undefined);
  await admin.connect();
});

after(async () => {
  for (const p of plugins) await p.close();
  for (const u of made) await admin.sendCommand(['ACL', 'DELUSER', u]);
  admin.destroy();
});

describe('parseRules', () => {
  const ok: Array<[string[], string[]]> = [
    [[], ['~*', '+@read']],
    [['["+@read", "~*"]'], ['+@read', '~*']],
    [
      ['["~a*"]', '["+get"]'],
      ['~a*', '+get'],
    ],
    [
      ['["~a*"', '"+get"]'],
      ['~a*', '+get'],
    ],
    [
      ['+@read', '~*'],
      ['+@read', '~*'],
    ],
    [['["(~k* +get)"]'], ['(~k* +get)']],
  ];
  for (const [input, want] of ok)
    it(`parses ${JSON.stringify(input)}`, () => assert.deepEqual(parseRules(input), want));
  const bad = [
    ['["nopass"]'],
    ['[">x"]'],
    ['["reset"]'],
    ['["on"]'],
    ['["+@read ~*"]'],
    ['{"a":1}'],
    ['[1]'],
    ['+get ~*'],
  ];
  for (const input of bad) {
    it(`refuses ${JSON.stringify(input)}`, () =>
      assert.throws(() => parseRules(input), { name: 'BadRequestError' }));
  }
});

describe('redis plugin', () => {
  it('names and limits', () => {
    const p = redisPlugin();
    assert.equal(p.name, 'redis-database-plugin');
    assert.equal(p.maxUsernameLength, 64);
  });

  it('initialize with verifyConnection: a wrong password fails without revealing it; a closed port fails', async () => {
    const secret = 'NotThePassword-5678';
    const p = redisPlugin();
    await assert.rejects(
      p.initialize(
        { ...CONFIG, username: 'coffer_test_nobody', password: secret },
        { verifyConnection: true },
      ),
      (e: Error) => e.name === 'BadRequestError' && !e.message.includes(secret),
    );
    await assert.rejects(
      p.initialize({ ...CONFIG, port: 1 }, { verifyConnection: true }),
      (e: Error) => e.name === 'BadRequestError',
    );
    await p.close();
  });

  it('without verifyConnection a down server fails the operation instead of hanging', async () => {
    const p = redisPlugin();
    await p.initialize({ ...CONFIG, port: 1 }, { verifyConnection: false });
    await assert.rejects(p.deleteUser({ username: uniq(), statements: [] }), { name: 'InternalError' });
    await p.close();
  });

  it('default rules: the user can read, cannot write; delete removes it and closes its sessions', async () => {
    const p = await makePlugin();
    const name = uniq();
    const password = pw();
    await admin.set('coffer_test_key', 'v');
    await p.newUser({ username: name, password, expiration: far, statements: [], rollbackStatements: [] });
    const c = await login(name, password);
    assert.ok(!(c instanceof Error), 'login works');
    try {
      assert.equal(await c.get('coffer_test_key'), 'v');
      await assert.rejects(c.set('coffer_test_key', 'w'), /NOPERM/);
      await p.deleteUser({ username: name, statements: [] });
      assert.equal(await userExists(name), false);
      assert.ok(!(await aclUsers()).includes(name));
      assert.equal(await canLogin(name, password), false);
      await assert.rejects(c.sendCommand(['PING']));
    } finally {
      c.destroy();
      await admin.del('coffer_test_key');
    }
    await p.deleteUser({ username: name, statements: [] });
  });

  it('custom rules grant exactly what they say', async () => {
    const p = await makePlugin();
    const name = uniq();
    const password = pw();
    await p.newUser({
      username: name,
      password,
      expiration: far,
      statements: ['["~coffer_test_k*", "+set", "+get"]'],
      rollbackStatements: [],
    });
    const c = await login(name, password);
    assert.ok(!(c instanceof Error));
    try {
      await c.set('coffer_test_k1', 'x');
      await assert.rejects(c.set('other', 'x'), /NOPERM/);
      await assert.rejects(c.del('coffer_test_k1'), /NOPERM/);
    } finally {
      c.destroy();
      await admin.del('coffer_test_k1');
    }
  });

  it('updateUser: old password fails, new works; renewal and a missing user', async () => {
    const p = await makePlugin();
    const name = uniq();
    const [p1, p2] = [pw(), pw()];
    await p.newUser({
      username: name,
      password: p1,
      expiration: far,
      statements: [],
      rollbackStatements: [],
    });
    await p.updateUser({ username: name, expiration: far, statements: [] });
    assert.equal(await canLogin(name, p1), true);
    await p.updateUser({ username: name, password: p2, statements: [] });
    assert.equal(await canLogin(name, p1), false);
    assert.equal(await canLogin(name, p2), true);
    const ghost = uniq();
    await assert.rejects(p.updateUser({ username: ghost, password: p2, statements: [] }), {
      name: 'BadRequestError',
    });
    assert.equal(await userExists(ghost), false);
  });

  it('refuses names with whitespace or control characters, and existing users; passwords with spaces are literal', async () => {
    const p = await makePlugin();
    const usersBefore = await aclUsers();
    for (const bad of [
      'coffer_test_a b',
      'coffer_test_a\tb',
      'coffer_test_a\nb',
      'coffer_test_\0',
      '',
      'x'.repeat(65),
    ]) {
      await assert.rejects(
        p.newUser({ username: bad, password: pw(), expiration: far, statements: [], rollbackStatements: [] }),
        { name: 'BadRequestError' },
        JSON.stringify(bad),
      );
    }
    await assert.rejects(
      p.newUser({
        username: 'default',
        password: pw(),
        expiration: far,
        statements: [],
        rollbackStatements: [],
      }),
      { name: 'BadRequestError' },
    );
    await assert.rejects(p.deleteUser({ username: 'default', statements: [] }), { name: 'BadRequestError' });
    assert.deepEqual(await aclUsers(), usersBefore);
    const name = uniq();
    const password = 'has spaces nopass >x ~* +@all';
    await p.newUser({ username: name, password, expiration: far, statements: [], rollbackStatements: [] });
    assert.equal(await canLogin(name, password), true);
    assert.equal(await canLogin(name, 'x'), false);
    const c = (await login(name, password)) as Client;
    await assert.rejects(c.set('coffer_test_z', '1'), /NOPERM/);
    c.destroy();
  });

  it('20 concurrent creations all succeed; measures create/delete rates', async () => {
    const p = await makePlugin();
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
    for (const u of users) assert.equal(await userExists(u.name), true);
    assert.equal(await canLogin(users[7]!.name, users[7]!.password), true);
    t = performance.now();
    await Promise.all(users.map((u) => p.deleteUser({ username: u.name, statements: [] })));
    const dropMs = performance.now() - t;
    for (const u of users) assert.equal(await userExists(u.name), false);
    console.log(
      `redis: ${((20 / createMs) * 1000).toFixed(0)} users created/s, ${((20 / dropMs) * 1000).toFixed(0)} deleted/s`,
    );
  });

  it('root rotation: an ACL admin user rotates its own password and keeps working', async () => {
    const adminName = uniq('admin');
    const first = pw();
    await admin.sendCommand(['ACL', 'SETUSER', adminName, 'on', `>${first}`, '~*', '&*', '+@all']);
    const p = await makePlugin({
      connection_url: 'redis://{{username}}:{{password}}@127.0.0.1:6379',
      username: adminName,
      password: first,
    });
    const second = pw();
    await p.updateUser({ username: adminName, password: second, statements: [] });
    assert.equal(await canLogin(adminName, first), false);
    assert.equal(await canLogin(adminName, second), true);
    const u = uniq();
    await p.newUser({
      username: u,
      password: 'pw-1',
      expiration: far,
      statements: [],
      rollbackStatements: [],
    });
    assert.equal(await canLogin(u, 'pw-1'), true);
    await p.deleteUser({ username: u, statements: [] });
  });

  it('a server error never carries the password', async () => {
    const p = await makePlugin();
    const password = pw();
    await assert.rejects(
      p.newUser({
        username: uniq(),
        password,
        expiration: far,
        statements: ['["+nosuchcommand"]'],
        rollbackStatements: [],
      }),
      (e: Error) => e.name === 'InternalError' && !e.message.includes(password),
    );
  });
});

pluginConformance('redis', async () => {
  const plugin = redisPlugin();
  const created = new Set<string>();
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
    config: { ...CONFIG },
    canLogin,
    userExists,
    cleanup: async () => {
      for (const u of created)
        if (!/[\s\x00-\x1f]/.test(u) && u !== '') await admin.sendCommand(['ACL', 'DELUSER', u]);
    },
  };
});
