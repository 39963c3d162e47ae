import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadRequestError,
  type FieldSpec,
  InvalidFieldError,
  PermissionDeniedError,
} from '../../sdk/index.ts';
import { databaseBackend } from './index.ts';
import { dbHarness, ROOT_CONFIG, START } from './test-helper.ts';
import { retryableError } from './testing.ts';

const lease = (internal: Record<string, unknown>, ttl = 3600) => ({
  leaseId: 'database/creds/ro/abc',
  type: 'creds',
  internal,
  issueTime: START,
  expireTime: START + ttl * 1000,
  ttl,
});

describe('database engine: paths', () => {
  it('every path has help and every field a description; passwords are sensitive', async () => {
    const h = await dbHarness();
    const def = h.backend.definition;
    assert.equal(def.type, 'database');
    assert.ok(def.secrets?.creds?.renew);
    for (const path of def.paths) {
      assert.ok(path.help.synopsis.trim() && path.help.description.trim(), path.pattern);
      for (const [name, spec] of Object.entries(path.fields as Record<string, FieldSpec>)) {
        assert.ok(spec.description.trim(), `${path.pattern} ${name}`);
        if (name === 'password') assert.equal(spec.sensitive, true);
      }
    }
    assert.ok(databaseBackend);
  });
});

describe('database engine: config', () => {
  it('writes, reads without the password, lists, passes extra keys to the plugin, deletes', async () => {
    const h = await dbHarness();
    await h.write('config/main', { ...ROOT_CONFIG, tls_ca: 'PEM', max_open_connections: 4 });
    const read = await h.call('read', 'config/main');
    assert.deepEqual(read.data, {
      plugin_name: 'fake-database-plugin',
      plugin_version: '',
      connection_details: {
        connection_url: 'fake://{{username}}:{{password}}@localhost/db',
        username: 'root',
        tls_ca: 'PEM',
        max_open_connections: 4,
      },
      allowed_roles: ['*'],
      root_credentials_rotate_statements: [],
      password_policy: '',
      username_template: '',
      verify_connection: true,
    });
    assert.ok(!JSON.stringify(read).includes('rootpw'));
    assert.deepEqual((await h.call('list', 'config')).data, { keys: ['main'] });
    // an update merges with what is stored
    await h.write('config/main', { allowed_roles: 'ro' });
    assert.deepEqual((await h.call('read', 'config/main')).data?.allowed_roles, ['ro']);
    await h.call('delete', 'config/main');
    await assert.rejects(h.call('read', 'config/main'), { status: 404 });
  });

  it('redacts a literal password in the connection URL', async () => {
    const h = await dbHarness();
    await h.write('config/c', { ...ROOT_CONFIG, connection_url: 'postgres://root:rootpw@h/db' });
    const d = (await h.call('read', 'config/c')).data?.connection_details as Record<string, unknown>;
    assert.equal(d.connection_url, 'postgres://root:*****@h/db');
  });

  it('redacts a literal password in key=value and MySQL DSN connection strings too', async () => {
    // only the URL form was redacted: these came back verbatim on every read
    const h = await dbHarness();
    const forms: Array<[string, string]> = [
      ['host=127.0.0.1 port=1 user=u password=kvsecret', 'kvsecret'],
      ['u:dsnsecret@tcp(127.0.0.1:1)/', 'dsnsecret'],
    ];
    for (const [connection_url, secret] of forms) {
      await h.write('config/f', { ...ROOT_CONFIG, connection_url });
      const read = (await h.call('read', 'config/f')).data ?? {};
      assert.ok(!JSON.stringify(read).includes(secret), connection_url);
      const details = read.connection_details as Record<string, unknown>;
      assert.match(String(details.connection_url), /\*\*\*\*\*/);
    }
  });

  it('refuses an unreachable database (verify_connection), an unknown plugin and a bad template', async () => {
    const h = await dbHarness();
    await assert.rejects(h.write('config/bad', { ...ROOT_CONFIG, password: 'wrong' }), BadRequestError);
    assert.equal(await h.storage.has('config/bad'), false);
    await h.write('config/noverify', { ...ROOT_CONFIG, password: 'wrong', verify_connection: false });
    await assert.rejects(h.write('config/x', { ...ROOT_CONFIG, plugin_name: 'nope' }), /unknown plugin_name/);
    await assert.rejects(h.write('config/x', { connection_url: 'u' }), /plugin_name/);
    await assert.rejects(
      h.write('config/x', { ...ROOT_CONFIG, username_template: '{{.Nope}}' }),
      InvalidFieldError,
    );
  });

  it('a new config closes the old pool; reset re-opens it', async () => {
    const h = await dbHarness();
    await h.write('config/main', ROOT_CONFIG);
    const inits = () => h.db.calls.filter((c) => c.method === 'initialize').length;
    const before = inits();
    await h.call('update', 'reset/main');
    assert.equal(inits(), before + 1);
    await assert.rejects(h.call('update', 'reset/none'), { status: 404 });
  });
});

describe('database engine: roles and creds', () => {
  const setup = async (allowed: string = '*') => {
    const h = await dbHarness();
    await h.write('config/main', { ...ROOT_CONFIG, allowed_roles: allowed });
    await h.write('roles/ro', {
      db_name: 'main',
      creation_statements: ['CREATE ROLE "{{name}}"'],
      revocation_statements: ['DROP ROLE "{{name}}"'],
      default_ttl: '1h',
      max_ttl: '24h',
    });
    return h;
  };

  it('role CRUD and name validation', async () => {
    const h = await setup();
    const role = await h.call('read', 'roles/ro');
    assert.equal(role.data?.db_name, 'main');
    assert.equal(role.data?.default_ttl, 3600);
    assert.equal(role.data?.max_ttl, 86400);
    assert.equal(role.data?.credential_type, 'password');
    assert.deepEqual((await h.call('list', 'roles')).data, { keys: ['ro'] });
    for (const bad of ['a b', 'x"y', "a'b", '.hidden', 'a;b', 'ü']) {
      await assert.rejects(h.write(`roles/${bad}`, { db_name: 'main' }), { status: 400 }, bad);
    }
    await assert.rejects(h.write('roles/new', {}), /db_name/);
    await assert.rejects(
      h.write('roles/new', { db_name: 'main', default_ttl: 10, max_ttl: 5 }),
      InvalidFieldError,
    );
    await h.call('delete', 'roles/ro');
    await assert.rejects(h.call('read', 'roles/ro'), { status: 404 });
  });

  it('creds: creates a user and returns a leased secret with the WAL key', async () => {
    const h = await setup();
    const res = await h.call('read', 'creds/ro', {}, { displayName: 'userpass-alice' });
    const { username, password } = res.data as { username: string; password: string };
    assert.match(username, /^v-userpass-ro-[A-Za-z0-9]{20}-1704067200$/);
    assert.equal(password, 'pw-default-1');
    assert.equal(h.db.canLogin(username, password), true);
    assert.equal(h.db.users.get(username)?.expiration?.getTime(), START + 3600_000);
    const secret = res.secret!;
    assert.equal(secret.type, 'creds');
    assert.equal(secret.ttl, 3600);
    assert.equal(secret.maxTTL, 86400);
    assert.equal(secret.renewable, true);
    assert.equal(secret.internal.db_name, 'main');
    assert.equal(secret.internal.role, 'ro');
    assert.equal(secret.internal.username, username);
    assert.match(String(secret.internal.walKey), /^wal\/creds\/[0-9a-f]{32}$/);
    assert.deepEqual(await h.storage.getJSON(String(secret.internal.walKey)), {
      db: 'main',
      role: 'ro',
      username,
      created: START,
    });
    assert.ok(!JSON.stringify(secret.internal).includes(password));
  });

  it('creds: respects allowed_roles (globs) and unknown roles', async () => {
    const h = await setup('app-*');
    await assert.rejects(h.call('read', 'creds/ro'), PermissionDeniedError);
    await h.write('roles/app-1', { db_name: 'main' });
    await h.call('read', 'creds/app-1');
    await assert.rejects(h.call('read', 'creds/missing'), /unknown role/);
    const empty = await setup('');
    await assert.rejects(empty.call('read', 'creds/ro'), PermissionDeniedError);
  });

  it('creds: the username is cut to the plugin maximum and keeps only [A-Za-z0-9_-]', async () => {
    const h = await dbHarness({ plugin: { maxUsernameLength: 16 } });
    await h.write('config/main', { ...ROOT_CONFIG, username_template: '{{.DisplayName}}.{{.RoleName}}' });
    await h.write('roles/a.b', { db_name: 'main' });
    const res = await h.call('read', 'creds/a.b', {}, { displayName: 'ldap-x"; DROP' });
    assert.equal(res.data?.username, 'ldap-xDROPab');
  });

  it('crash between user creation and lease storage: the next start drops the user', async () => {
    const h = await setup();
    const res = await h.call('read', 'creds/ro');
    const username = String(res.data?.username);
    // A delivered lease: core deleted its WAL in the lease batch.
    const kept = await h.call('read', 'creds/ro');
    await h.storage.delete(String(kept.secret?.internal.walKey));
    const h2 = await h.restart();
    assert.equal(h.db.users.has(username), false);
    assert.equal(h.db.users.has(String(kept.data?.username)), true);
    assert.deepEqual(await h2.storage.list('wal/creds/'), []);
    assert.ok(h.db.calls.some((c) => c.method === 'deleteUser' && c.username === username));
  });

  it('an unreachable database at start keeps the creds WAL and retries on the timer', async () => {
    const h = await setup();
    const res = await h.call('read', 'creds/ro');
    h.db.reachable = false;
    const h2 = await h.restart();
    assert.equal((await h2.storage.list('wal/creds/')).length, 1);
    assert.ok(h2.timers.pending);
    h.db.reachable = true;
    h2.clock.advance(5);
    await h2.timers.fire();
    assert.equal(h.db.users.has(String(res.data?.username)), false);
    assert.deepEqual(await h2.storage.list('wal/creds/'), []);
  });

  it('revoke drops the user (idempotent); renew extends it within max_ttl', async () => {
    const h = await setup();
    const res = await h.call('read', 'creds/ro');
    const internal = res.secret!.internal;
    const username = String(internal.username);
    h.clock.advance(600);
    assert.deepEqual(await h.backend.renewSecret(lease(internal), 7200), { ttl: 7200 });
    assert.equal(h.db.users.get(username)?.expiration?.getTime(), START + 600_000 + 7200_000);
    h.clock.advance(86400 - 600 - 100);
    assert.deepEqual(await h.backend.renewSecret(lease(internal), 7200), { ttl: 100 });
    await h.backend.revokeSecret(lease(internal));
    assert.equal(h.db.users.has(username), false);
    await h.backend.revokeSecret(lease(internal));
    // the role is gone: still revoked with default statements
    const other = await h.call('read', 'creds/ro');
    await h.call('delete', 'roles/ro');
    await h.backend.revokeSecret(lease(other.secret!.internal));
    assert.equal(h.db.users.has(String(other.data?.username)), false);
    // the config is gone: a clear error so core retries
    await h.call('delete', 'config/main');
    await assert.rejects(h.backend.revokeSecret(lease(internal)), /no longer exists/);
  });

  it('retries a retryable creation failure with a rollback in between', async () => {
    const h = await setup();
    h.db.failNext('newUser', retryableError(), { times: 2, after: true });
    const res = await h.call('read', 'creds/ro');
    const username = String(res.data?.username);
    const calls = h.db.calls.filter((c) => c.username === username).map((c) => c.method);
    assert.deepEqual(calls, ['newUser', 'deleteUser', 'newUser', 'deleteUser', 'newUser']);
    assert.equal(h.db.users.has(username), true);
  });

  it('gives up after 5 attempts, or at once on a permanent failure, leaving no user and no WAL', async () => {
    const h = await setup();
    h.db.failNext('newUser', retryableError(), { times: 5, after: true });
    await assert.rejects(h.call('read', 'creds/ro'), /deadlock/);
    assert.equal(h.db.calls.filter((c) => c.method === 'newUser').length, 5);
    h.db.failNext('newUser', new Error('syntax error'), { after: true });
    await assert.rejects(h.call('read', 'creds/ro'), /syntax error/);
    assert.equal(h.db.calls.filter((c) => c.method === 'newUser').length, 6);
    assert.deepEqual([...h.db.users.keys()], ['root']);
    assert.deepEqual(await h.storage.list('wal/creds/'), []);
  });

  it('runs creations through a queue of the plugin maxConcurrentCreates', async () => {
    const h = await dbHarness({ plugin: { maxConcurrentCreates: 1 } });
    await h.write('config/main', ROOT_CONFIG);
    await h.write('roles/ro', { db_name: 'main' });
    await Promise.all(Array.from({ length: 5 }, () => h.call('read', 'creds/ro')));
    assert.equal(h.db.users.size, 6);
    assert.equal(h.db.maxInFlight, 1);
    const unlimited = await dbHarness();
    await unlimited.write('config/main', ROOT_CONFIG);
    await unlimited.write('roles/ro', { db_name: 'main' });
    await Promise.all(Array.from({ length: 5 }, () => unlimited.call('read', 'creds/ro')));
    assert.equal(unlimited.db.users.size, 6);
    assert.ok(unlimited.db.maxInFlight > 1);
  });
});

describe('database engine: root rotation', () => {
  it('rotates the root password and stores it', async () => {
    const h = await dbHarness();
    await h.write('config/main', { ...ROOT_CONFIG, password_policy: 'db' });
    await h.call('update', 'rotate-root/main');
    assert.equal(h.db.canLogin('root', 'pw-db-1'), true);
    assert.equal((await h.storage.getJSON<{ password: string }>('config/main'))?.password, 'pw-db-1');
    assert.deepEqual(await h.storage.list('wal/root/'), []);
    // the next use connects with the new password
    await h.call('update', 'reset/main');
    await assert.rejects(h.call('update', 'rotate-root/none'), BadRequestError);
  });

  it('crash after the database changed, before the store: the next start stores the WAL password', async () => {
    const h = await dbHarness();
    await h.write('config/main', ROOT_CONFIG);
    h.db.failNext('updateUser', new Error('connection lost'), { after: true });
    await assert.rejects(h.call('update', 'rotate-root/main'), /connection lost/);
    assert.equal(h.db.canLogin('root', 'pw-default-1'), true);
    assert.equal((await h.storage.getJSON<{ password: string }>('config/main'))?.password, 'rootpw');
    assert.deepEqual(await h.storage.getJSON('wal/root/main'), { password: 'pw-default-1', created: START });
    const h2 = await h.restart();
    assert.equal((await h2.storage.getJSON<{ password: string }>('config/main'))?.password, 'pw-default-1');
    assert.deepEqual(await h2.storage.list('wal/root/'), []);
  });

  it('crash before the database changed: the next start sets the WAL password, then stores it', async () => {
    const h = await dbHarness();
    await h.write('config/main', ROOT_CONFIG);
    h.db.failNext('updateUser', new Error('connection lost'));
    await assert.rejects(h.call('update', 'rotate-root/main'));
    assert.equal(h.db.canLogin('root', 'rootpw'), true);
    const h2 = await h.restart();
    assert.equal(h.db.canLogin('root', 'pw-default-1'), true);
    assert.equal((await h2.storage.getJSON<{ password: string }>('config/main'))?.password, 'pw-default-1');
  });

  it('an unreachable database keeps the WAL and retries with backoff', async () => {
    const h = await dbHarness();
    await h.write('config/main', ROOT_CONFIG);
    h.db.failNext('updateUser', new Error('connection lost'), { after: true });
    await assert.rejects(h.call('update', 'rotate-root/main'));
    h.db.reachable = false;
    const h2 = await h.restart();
    assert.equal(await h2.storage.has('wal/root/main'), true);
    assert.equal(h2.timers.pending?.ms, 5000);
    h2.clock.advance(5);
    await h2.timers.fire();
    assert.equal(h2.timers.pending?.ms, 10_000, 'doubled');
    h.db.reachable = true;
    h2.clock.advance(10);
    await h2.timers.fire();
    assert.equal(await h2.storage.has('wal/root/main'), false);
    assert.equal((await h2.storage.getJSON<{ password: string }>('config/main'))?.password, 'pw-default-1');
  });
});

describe('database engine: static roles', () => {
  const setup = async () => {
    const h = await dbHarness();
    await h.write('config/main', ROOT_CONFIG);
    h.db.users.set('app', { password: 'initial' });
    return h;
  };

  it('rotates on create, answers static-creds, and rotates again when the period is due', async () => {
    const h = await setup();
    await h.write('static-roles/app', { db_name: 'main', username: 'app', rotation_period: '1h' });
    assert.equal(h.db.canLogin('app', 'pw-default-1'), true);
    const creds = await h.call('read', 'static-creds/app');
    assert.deepEqual(creds.data, {
      username: 'app',
      password: 'pw-default-1',
      last_vault_rotation: new Date(START).toISOString(),
      ttl: 3600,
      rotation_period: 3600,
    });
    const role = await h.call('read', 'static-roles/app');
    assert.equal(role.data?.username, 'app');
    assert.equal(role.data?.password, undefined);
    assert.equal(h.timers.pending?.ms, 3600_000);
    h.clock.advance(3600);
    await h.timers.fire();
    assert.equal(h.db.canLogin('app', 'pw-default-2'), true);
    assert.equal((await h.call('read', 'static-creds/app')).data?.password, 'pw-default-2');
    assert.equal(h.timers.pending?.ms, 3600_000);
    await h.call('update', 'rotate-role/app');
    assert.equal(h.db.canLogin('app', 'pw-default-3'), true);
    assert.deepEqual((await h.call('list', 'static-roles')).data, { keys: ['app'] });
  });

  it('one timer for the mount: it wakes for the earliest role', async () => {
    const h = await setup();
    h.db.users.set('b', { password: 'x' });
    await h.write('static-roles/app', { db_name: 'main', username: 'app', rotation_period: 3600 });
    await h.write('static-roles/b', { db_name: 'main', username: 'b', rotation_period: 60 });
    assert.equal(h.timers.pending?.ms, 60_000);
    await h.call('delete', 'static-roles/b');
    assert.equal(h.timers.pending?.ms, 3600_000);
    await h.backend.cleanup?.();
    assert.equal(h.timers.pending, undefined);
  });

  it('a failed rotation keeps the working password and is retried with backoff', async () => {
    const h = await setup();
    await h.write('static-roles/app', { db_name: 'main', username: 'app', rotation_period: 60 });
    h.clock.advance(60);
    h.db.failNext('updateUser', new Error('connection lost'));
    await h.timers.fire();
    assert.equal((await h.call('read', 'static-creds/app')).data?.password, 'pw-default-1');
    assert.equal(h.db.canLogin('app', 'pw-default-1'), true);
    assert.deepEqual(await h.storage.getJSON('wal/static/app'), {
      password: 'pw-default-2',
      created: START + 60_000,
    });
    assert.equal(h.timers.pending?.ms, 5000);
    h.clock.advance(5);
    await h.timers.fire();
    assert.equal(h.db.canLogin('app', 'pw-default-2'), true);
    assert.equal((await h.call('read', 'static-creds/app')).data?.password, 'pw-default-2');
    assert.equal(await h.storage.has('wal/static/app'), false);
  });

  it('crash after the database accepted a static password: the next start stores it', async () => {
    const h = await setup();
    await h.write('static-roles/app', { db_name: 'main', username: 'app', rotation_period: 60 });
    h.db.failNext('updateUser', new Error('connection lost'), { after: true });
    await assert.rejects(h.call('update', 'rotate-role/app'));
    assert.equal(h.db.canLogin('app', 'pw-default-2'), true);
    const h2 = await h.restart();
    assert.equal((await h2.call('read', 'static-creds/app')).data?.password, 'pw-default-2');
  });

  it('rotates on a cron schedule', async () => {
    const h = await setup();
    await h.write('static-roles/app', { db_name: 'main', username: 'app', rotation_schedule: '0 */6 * * *' });
    const creds = await h.call('read', 'static-creds/app');
    assert.equal(creds.data?.rotation_schedule, '0 */6 * * *');
    assert.equal(creds.data?.ttl, 6 * 3600);
    h.clock.advance(6 * 3600);
    await h.timers.fire();
    assert.equal(h.db.canLogin('app', 'pw-default-2'), true);
  });

  it('validates static roles', async () => {
    const h = await setup();
    const base = { db_name: 'main', username: 'app' };
    await assert.rejects(h.write('static-roles/s', base), /rotation_period or rotation_schedule/);
    await assert.rejects(h.write('static-roles/s', { ...base, rotation_period: 4 }), /at least 5/);
    await assert.rejects(h.write('static-roles/s', { ...base, rotation_schedule: '* *' }), InvalidFieldError);
    await assert.rejects(
      h.write('static-roles/s', { ...base, rotation_period: 60, rotation_schedule: '* * * * *' }),
      /exclusive/,
    );
    await assert.rejects(
      h.write('static-roles/s', { ...base, rotation_period: 60, rotation_window: 3600 }),
      /needs/,
    );
    await assert.rejects(h.write('static-roles/a"b', { ...base, rotation_period: 60 }), { status: 400 });
    await h.write('static-roles/s', { ...base, rotation_period: 60 });
    await assert.rejects(h.write('static-roles/s', { username: 'other' }), /cannot change/);
    await assert.rejects(h.call('read', 'static-creds/none'), /unknown static role/);
  });
});
