/**
 * Done when: `kill -9` of the server during a rotation and during credential issuance under load:
 * after restart there is no database user that Coffer does not track and no static role whose
 * stored password fails to log in.
 *
 * A real `coffer server` on sqlite against a throwaway scram cluster (every `v-` user in it is
 * ours). Issuance: 16 requests in flight, SIGKILL mid-stream, restart + unseal; the number of `v-`
 * users must equal the number of leases, every acknowledged credential must log in, and
 * revoke-prefix must leave no `v-` user. Rotation: rotate-role (and rotate-root) in a loop,
 * SIGKILL, restart: static-creds logs in, and Coffer still logs in as its root.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type PgCluster, startPgCluster } from '../helpers/pg-cluster.ts';
import { tempDir } from '../helpers/process.ts';
import {
  pgCanLogin,
  pgQuery,
  pgRolesLike,
  type SqliteServer,
  sleep,
  startSqliteServer,
  waitFor,
} from './helpers.ts';

const STATIC_USER = 'coffer_test_crash_static';
const ADMIN_USER = 'coffer_test_crash_admin';

const tmp = tempDir('coffer-db-crash-');
let s: SqliteServer;
let pgc: PgCluster;

before(async () => {
  [s, pgc] = await Promise.all([startSqliteServer(tmp.dir), startPgCluster()]);
  await pgQuery(pgc.adminUrl, `CREATE ROLE ${STATIC_USER} LOGIN PASSWORD 'initial'`);
  await pgQuery(pgc.adminUrl, `CREATE ROLE ${ADMIN_USER} LOGIN CREATEROLE PASSWORD 'admin-initial'`);
  const v = s.api;
  await v.ok('POST', 'sys/mounts/database', { type: 'database' });
  const url = `postgresql://{{username}}:{{password}}@127.0.0.1:${pgc.port}/postgres`;
  await v.ok('POST', 'database/config/pg', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: url,
    username: 'postgres',
    password: pgc.adminPassword,
    allowed_roles: '*',
  });
  await v.ok('POST', 'database/config/adm', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: url,
    username: ADMIN_USER,
    password: 'admin-initial',
    allowed_roles: '*',
  });
  await v.ok('POST', 'database/roles/app', { db_name: 'pg', default_ttl: '1h' });
  await v.ok('POST', 'database/roles/adm', { db_name: 'adm', default_ttl: '1h' });
  await v.ok('POST', 'database/static-roles/st', {
    db_name: 'pg',
    username: STATIC_USER,
    rotation_period: '1h',
  });
});
after(async () => {
  await s?.server.stop('SIGKILL');
  await pgc?.destroy();
  tmp.cleanup();
});

/** Runs `width` loops of `fn` until SIGKILL after `killAfterMs`; returns what succeeded. */
async function underLoadThenKill<T>(width: number, killAfterMs: number, fn: () => Promise<T>): Promise<T[]> {
  const acked: T[] = [];
  let stop = false;
  const loops = Array.from({ length: width }, async () => {
    while (!stop) {
      try {
        acked.push(await fn());
      } catch {
        // the kill: connection reset, or an error answer
      }
    }
  });
  await sleep(killAfterMs);
  await s.server.stop('SIGKILL');
  stop = true;
  await Promise.all(loops);
  return acked;
}

async function leaseCount(prefix: string): Promise<number> {
  const r = await s.api.call('LIST', `sys/leases/lookup/${prefix}`);
  if (r.status === 404) return 0;
  assert.equal(r.status, 200, r.text);
  return r.json.data.keys.length;
}

test('SIGKILL during issuance under load (16 in flight): every database user is tracked', async () => {
  for (let round = 1; round <= 2; round++) {
    const acked = await underLoadThenKill(16, 1200 + 300 * round, async () => {
      const r = await s.api.call('GET', 'database/creds/app');
      if (r.status !== 200) throw new Error(r.text);
      return { user: r.json.data.username as string, pw: r.json.data.password as string };
    });
    const beforeRestart = await pgRolesLike(pgc.adminUrl, 'v-');
    const unsealMs = await s.restart();
    // The mount settles its WALs while unsealing; give the background a moment anyway.
    await sleep(300);
    const users = await pgRolesLike(pgc.adminUrl, 'v-');
    const leases = await leaseCount('database/creds/app/');
    console.log(
      `# round ${round}: ${acked.length} creds acknowledged before kill; ${beforeRestart.size} v- users at kill; ` +
        `after restart (unseal ${unsealMs} ms): ${users.size} users, ${leases} leases`,
    );
    for (const c of acked) {
      assert.ok(users.has(c.user), `acknowledged user ${c.user} was dropped`);
      assert.ok(await pgCanLogin(pgc.url(c.user, c.pw)), `acknowledged credential ${c.user} logs in`);
    }
    assert.equal(users.size, leases, 'every v- user has exactly one lease');
  }
  await s.api.ok('PUT', 'sys/leases/revoke-prefix/database/creds/app');
  const left = await pgRolesLike(pgc.adminUrl, 'v-');
  assert.equal(left.size, 0, `untracked users left after revoke-prefix: ${[...left].join(', ')}`);
});

test('SIGKILL during static rotations: static-creds logs in after restart', async () => {
  for (let round = 1; round <= 3; round++) {
    let rotations = 0;
    await underLoadThenKill(4, 400 + 250 * round, async () => {
      const r = await s.api.call('POST', 'database/rotate-role/st');
      if (r.status !== 204) throw new Error(r.text);
      rotations++;
    });
    await s.restart();
    const c = await s.api.ok('GET', 'database/static-creds/st');
    const ok = await pgCanLogin(pgc.url(STATIC_USER, c.data.password));
    console.log(
      `# static round ${round}: ${rotations} rotations acknowledged before kill; stored password logs in: ${ok}`,
    );
    assert.ok(ok, 'the stored static password logs in after the crash');
  }
});

test('SIGKILL during root rotations: Coffer still logs in as its root', async () => {
  for (let round = 1; round <= 2; round++) {
    let rotations = 0;
    await underLoadThenKill(2, 500 + 300 * round, async () => {
      const r = await s.api.call('POST', 'database/rotate-root/adm');
      if (r.status !== 204) throw new Error(r.text);
      rotations++;
    });
    await s.restart();
    const r = await waitFor(
      async () => (await s.api.call('GET', 'database/creds/adm')).status === 200,
      5000,
      200,
    );
    console.log(
      `# root round ${round}: ${rotations} root rotations acknowledged before kill; creds work: ${r !== undefined}`,
    );
    assert.ok(r !== undefined, 'creds from the rotated root config fail after the crash');
    assert.ok(
      rotations > 0,
      'no root rotation completed before the kill: the kill did not land mid-rotation',
    );
  }
  await s.api.ok('PUT', 'sys/leases/revoke-prefix/database/creds/adm');
  assert.equal((await pgRolesLike(pgc.adminUrl, 'v-')).size, 0);
});
