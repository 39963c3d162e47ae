/**
 * Done when: database down (stop PostgreSQL) while leases expire: revocation is retried; once it is
 * back, the users are dropped; a lease whose revocation keeps failing ends up listed as irrevocable
 * with its error, and survives a restart. `revoke-force` removes it and says so.
 *
 * A real `coffer server` on sqlite against a throwaway scram cluster that is stopped and started.
 * The default retry schedule (1, 2, 4, 8, 16 s ±20 % after the first failure: 6 attempts) makes a
 * lease irrevocable about 31 s (at most ~38 s) after it expired; both parts run at the same time.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type PgCluster, startPgCluster } from '../helpers/pg-cluster.ts';
import { tempDir } from '../helpers/process.ts';
import {
  type Json,
  pgCanLogin,
  pgRoleExists,
  type SqliteServer,
  sleep,
  startSqliteServer,
  waitFor,
} from './helpers.ts';

const tmp = tempDir('coffer-db-outage-');
let s: SqliteServer | undefined;
let pgc: PgCluster | undefined;
let bad: Json;
let badEnds = 0;

after(async () => {
  await s?.server.stop('SIGKILL');
  await pgc?.destroy();
  tmp.cleanup();
});

test('revocations are retried through a PostgreSQL outage; once it is back the users are dropped', async () => {
  [s, pgc] = await Promise.all([startSqliteServer(tmp.dir), startPgCluster()]);
  const v = s.api;
  const cluster = pgc;
  await v.ok('POST', 'sys/mounts/database', { type: 'database' });
  await v.ok('POST', 'database/config/pg', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${cluster.port}/postgres`,
    username: 'postgres',
    password: cluster.adminPassword,
    allowed_roles: '*',
    username_template: 'coffer_test_{{.RoleName}}_{{random 12}}',
  });
  await v.ok('POST', 'database/roles/out', { db_name: 'pg', default_ttl: '3s' });
  await v.ok('POST', 'database/roles/fail', {
    db_name: 'pg',
    default_ttl: '2s',
    revocation_statements: ['SELECT 1/0;'],
  });

  bad = await v.ok('GET', 'database/creds/fail');
  badEnds = Date.now() + bad.lease_duration * 1000;
  const outs = await Promise.all(Array.from({ length: 5 }, () => v.ok('GET', 'database/creds/out')));
  const outEnds = Date.now() + 3000;
  for (const o of outs) assert.ok(await pgCanLogin(cluster.url(o.data.username, o.data.password)));

  // --- outage: PostgreSQL is down while the 5 leases expire ---------------------------------
  await cluster.stop();
  const downAt = Date.now();
  await sleep(outEnds - Date.now() + 5000); // attempts at +0, +1, +3 s fail
  for (const o of outs) {
    const r = await v.call('PUT', 'sys/leases/lookup', { lease_id: o.lease_id });
    assert.equal(r.status, 200, 'a lease whose revocation failed is kept for a retry');
  }
  await cluster.start();
  const upAt = Date.now();
  console.log(`# PostgreSQL down for ${upAt - downAt} ms while 5 leases expired`);
  const dropped = await waitFor(
    async () => {
      for (const o of outs) if (await pgRoleExists(cluster.adminUrl, o.data.username)) return false;
      return true;
    },
    12_000,
    200,
  );
  assert.ok(dropped !== undefined, 'users not dropped within 12 s of PostgreSQL coming back');
  console.log(`# users dropped ${dropped - upAt} ms after PostgreSQL came back`);
  for (const o of outs) {
    assert.equal(await pgCanLogin(cluster.url(o.data.username, o.data.password)), false);
    assert.equal((await v.call('PUT', 'sys/leases/lookup', { lease_id: o.lease_id })).status, 400);
  }
});

/** Highest `"attempts":N` logged for the lease by the current server process. */
function attemptsLogged(leaseId: string): number {
  let n = 0;
  for (const line of s!.server.stderr().split('\n')) {
    if (!line.includes(leaseId)) continue;
    const m = /"attempts":(\d+)/.exec(line);
    if (m) n = Math.max(n, Number(m[1]));
  }
  return n;
}
const irrevocable = async (): Promise<Json[]> => {
  const r = await s!.api.call('GET', 'sys/leases?type=irrevocable');
  assert.equal(r.status, 200, r.text);
  return r.json.data.leases;
};

test('a revocation that keeps failing is retried (1, 2, 4, 8, 16 s) and listed as irrevocable with its error', async () => {
  // By now (> 10 s after the lease ended) attempts at +0, +1, +3, +7 s should have run.
  const since = Date.now() - badEnds;
  const n = attemptsLogged(bad.lease_id);
  console.log(`# ${n} revocation attempt(s) of the failing lease logged ${since} ms after it expired`);
  assert.ok(
    n >= 3,
    `only ${n} revocation attempt(s) ${since} ms after expiry: failed revocations are not retried`,
  );
  const listedAt = await waitFor(
    async () => (await irrevocable()).some((l) => l.lease_id === bad.lease_id),
    badEnds - Date.now() + 45_000,
    250,
  );
  assert.ok(listedAt !== undefined, 'never listed as irrevocable');
  console.log(`# lease listed as irrevocable ${listedAt - badEnds} ms after it expired`);
});

test('the irrevocable lease survives a restart; revoke-force removes it and says so', async () => {
  const v = s!.api;
  const cluster = pgc!;
  // If the previous test failed because retries stall, each restart runs the one due attempt:
  // restart until the 6th attempt has made the lease irrevocable.
  let restarts = 0;
  for (
    let n = attemptsLogged(bad.lease_id);
    !(await irrevocable()).some((l) => l.lease_id === bad.lease_id);
  ) {
    assert.ok(restarts < 8, `not irrevocable after ${restarts} restarts (${n} attempts)`);
    await sleep(Math.round(1000 * 2 ** Math.max(0, n - 1) * 1.2) + 300);
    await s!.server.stop('SIGTERM');
    await s!.restart();
    restarts++;
    const before = n;
    await waitFor(async () => attemptsLogged(bad.lease_id) > 0, 5000, 50);
    n = Math.max(before + 1, attemptsLogged(bad.lease_id));
  }
  if (restarts > 0) console.log(`# workaround: ${restarts} restart(s) were needed to reach 6 attempts`);
  const entry = (await irrevocable()).find((l) => l.lease_id === bad.lease_id);
  assert.match(entry.error, /division by zero/);
  assert.equal(entry.revoke_attempts, 6);
  assert.equal((await v.ok('GET', 'sys/leases/count?type=irrevocable')).data.lease_count, 1);
  assert.ok(await pgRoleExists(cluster.adminUrl, bad.data.username), 'the user could not be dropped');

  // --- survives a restart --------------------------------------------------------------------
  await s!.server.stop('SIGTERM');
  await s!.restart();
  const again = (await irrevocable()).find((l) => l.lease_id === bad.lease_id);
  assert.ok(again, 'still irrevocable after restart');
  assert.match(again.error, /division by zero/);

  // --- revoke-force ---------------------------------------------------------------------------
  const forced = await v.ok('PUT', 'sys/leases/revoke-force/database/creds/fail');
  assert.ok(Array.isArray(forced.warnings), JSON.stringify(forced));
  assert.match(forced.warnings.join(' '), /force-removed 1 lease/);
  assert.equal((await irrevocable()).length, 0);
  assert.equal((await v.call('PUT', 'sys/leases/lookup', { lease_id: bad.lease_id })).status, 400);
  // Force does not touch the database: the user is still there; clean it up by hand.
  assert.ok(await pgRoleExists(cluster.adminUrl, bad.data.username));
});
