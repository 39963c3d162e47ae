/**
 * Done when: restart with 1,000 live leases of which 300 expired while the server was stopped:
 * after unseal the 300 database users are dropped, the 700 still work and expire on time.
 *
 * A real `coffer server` on sqlite against the machine's PostgreSQL (trust auth: existence is
 * checked in pg_roles). Role A (short TTL) × 300 and role B × 700 are issued 32 at a time; the
 * server is stopped (SIGTERM) until every A lease has ended, started and unsealed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { tempDir } from '../helpers/process.ts';
import {
  LOCAL_PG,
  pgDropRolesLike,
  pgRolesLike,
  pool,
  type SqliteServer,
  sleep,
  startSqliteServer,
  waitFor,
} from './helpers.ts';

const N_A = 300;
const N_B = 700;
const TTL_A = 15;
const TTL_B = 35;
const WIDTH = 32;
const PREFIX = `coffer_test_rs${randomBytes(3).toString('hex')}_`;

const tmp = tempDir('coffer-db-restart-');
let s: SqliteServer | undefined;

after(async () => {
  if (s) {
    await s.api.call('PUT', 'sys/leases/revoke-prefix/database/creds').catch(() => {});
    await s.server.stop('SIGKILL');
  }
  await pgDropRolesLike(LOCAL_PG, PREFIX);
  tmp.cleanup();
});

test('1,000 leases, 300 expire while stopped: dropped at unseal, the 700 live on and expire on time', async () => {
  s = await startSqliteServer(tmp.dir);
  const v = s.api;
  await v.ok('POST', 'sys/mounts/database', { type: 'database' });
  await v.ok('POST', 'database/config/pg', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: 'postgresql://postgres@127.0.0.1:5432/postgres',
    allowed_roles: '*',
    username_template: `${PREFIX}{{.RoleName}}_{{random 10}}`,
  });
  const creation = [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}';`];
  await v.ok('POST', 'database/roles/a', {
    db_name: 'pg',
    creation_statements: creation,
    default_ttl: `${TTL_A}s`,
  });
  await v.ok('POST', 'database/roles/b', {
    db_name: 'pg',
    creation_statements: creation,
    default_ttl: `${TTL_B}s`,
  });

  const issue = async (role: string, n: number) => {
    const t0 = Date.now();
    const out = await pool(n, WIDTH, async () => {
      const r = await v.ok('GET', `database/creds/${role}`);
      return {
        user: r.data.username as string,
        lease: r.lease_id as string,
        ends: Date.now() + r.lease_duration * 1000,
      };
    });
    const ms = Date.now() - t0;
    const errors = out.filter((o) => o instanceof Error);
    assert.equal(errors.length, 0, `issue ${role}: ${errors.length} failed, first: ${errors[0]}`);
    console.log(
      `# issued ${n} creds of role ${role} (${WIDTH} in flight) in ${ms} ms (${Math.round((n * 1000) / ms)}/s)`,
    );
    return out as { user: string; lease: string; ends: number }[];
  };
  const b = await issue('b', N_B);
  const a = await issue('a', N_A);
  const usersA = new Set(a.map((x) => x.user));
  const live = await pgRolesLike(LOCAL_PG, PREFIX);
  assert.equal(live.size, N_A + N_B, 'every issued user exists');
  assert.equal((await v.ok('GET', 'sys/leases/count')).data.lease_count, N_A + N_B);

  await s.server.stop('SIGTERM');
  const lastA = Math.max(...a.map((x) => x.ends));
  await sleep(Math.max(0, lastA - Date.now() + 1000));
  assert.equal((await pgRolesLike(LOCAL_PG, `${PREFIX}a_`)).size, N_A, 'nothing revoked them while stopped');

  const unsealMs = await s.restart();
  const t0 = Date.now();
  const done = await waitFor(
    async () => (await pgRolesLike(LOCAL_PG, `${PREFIX}a_`)).size === 0,
    15_000,
    100,
  );
  assert.ok(done !== undefined, 'the 300 expired users were not dropped within 15 s of unseal');
  console.log(`# restart: unseal ${unsealMs} ms; 300 expired users dropped ${done - t0} ms after unseal`);
  assert.ok(done - t0 <= 5000, `took ${done - t0} ms`);
  // Every B lease still running (with a margin for revocation) must have survived. On a slow
  // machine the first B leases may have ended by now: they are checked with the rest below.
  const checkedAt = Date.now();
  const after = await pgRolesLike(LOCAL_PG, PREFIX);
  const running = b.filter((x) => x.ends > checkedAt + 2000);
  assert.ok(
    running.length >= N_B / 2,
    `only ${running.length} of ${N_B} B leases still running: issuance too slow`,
  );
  for (const x of running) assert.ok(after.has(x.user), `live user ${x.user} survived`);
  for (const u of usersA) assert.equal(after.has(u), false);
  const count = (await v.ok('GET', 'sys/leases/count')).data.lease_count;
  assert.ok(count >= running.length && count <= N_B, `lease count ${count}`);
  const look = await v.ok('PUT', 'sys/leases/lookup', { lease_id: running.at(-1)!.lease });
  assert.ok(look.data.ttl > 0);

  // The 700 expire on time.
  const lastB = Math.max(...b.map((x) => x.ends));
  const firstB = Math.min(...b.map((x) => x.ends));
  const goneB = await waitFor(
    async () => (await pgRolesLike(LOCAL_PG, `${PREFIX}b_`)).size === 0,
    lastB - Date.now() + 15_000,
    100,
  );
  assert.ok(goneB !== undefined, 'the 700 were not dropped within 15 s of their expiry');
  console.log(
    `# the 700 (expiring over ${lastB - firstB} ms) all dropped ${goneB - lastB} ms after the last expiry`,
  );
  assert.ok(goneB - lastB <= 5000, `700 revocations finished ${goneB - lastB} ms after expiry`);
  assert.equal((await v.ok('GET', 'sys/leases/count')).data.lease_count, 0);

  // revoke-prefix cleans up what is left.
  const extra = await issue('b', 50);
  await v.ok('PUT', 'sys/leases/revoke-prefix/database/creds/b');
  assert.equal((await pgRolesLike(LOCAL_PG, PREFIX)).size, 0, 'revoke-prefix dropped every user');
  assert.equal(extra.length, 50);
  assert.equal((await v.ok('GET', 'sys/leases/count')).data.lease_count, 0);
});
