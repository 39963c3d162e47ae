/**
 * Done when: static role: the password in PostgreSQL changes every `rotation_period`;
 * `static-creds` always returns the one that works; `rotate-role` rotates now. `rotate-root`: the
 * old root password no longer logs in, Coffer still does.
 *
 * In-process dev server against a throwaway scram cluster.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PgCluster, startPgCluster } from '../helpers/pg-cluster.ts';
import { type TestServer, testServer } from '../helpers/server.ts';
import { type Api, api, pgCanLogin, pgQuery, pgRoleExists, sleep } from './helpers.ts';

const STATIC_USER = 'coffer_test_static';
const ADMIN_USER = 'coffer_test_admin';
const ADMIN_PW = 'coffer-test-admin-initial';

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
  await pgQuery(pgc.adminUrl, `CREATE ROLE ${STATIC_USER} LOGIN PASSWORD 'initial-pw'`);
  await pgQuery(pgc.adminUrl, `CREATE ROLE ${ADMIN_USER} LOGIN CREATEROLE PASSWORD '${ADMIN_PW}'`);
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

describe('static role', () => {
  it('rotates every rotation_period; static-creds always returns the password that works', async () => {
    assert.ok(await pgCanLogin(pgc.url(STATIC_USER, 'initial-pw')));
    await v.ok('POST', 'database/static-roles/st', {
      db_name: 'pg',
      username: STATIC_USER,
      rotation_period: '5s',
    });
    assert.equal(await pgCanLogin(pgc.url(STATIC_USER, 'initial-pw')), false, 'rotated on create');
    const read = async () => (await v.ok('GET', 'database/static-creds/st')).data;
    const first = await read();
    assert.equal(first.username, STATIC_USER);
    assert.equal(first.rotation_period, 5);
    assert.ok(first.ttl <= 5);
    assert.ok(await pgCanLogin(pgc.url(STATIC_USER, first.password)));

    // Watch two rotations; every password read must log in (unless it was rotated in between).
    const seen: { pw: string; at: number; last: string }[] = [
      { pw: first.password, at: Date.now(), last: first.last_vault_rotation },
    ];
    let checks = 0;
    const deadline = Date.now() + 16_000;
    while (seen.length < 3 && Date.now() < deadline) {
      const c = await read();
      const works = await pgCanLogin(pgc.url(STATIC_USER, c.password));
      if (!works) {
        const again = await read();
        assert.notEqual(again.password, c.password, 'static-creds returned a password that does not log in');
      }
      checks++;
      if (c.password !== seen.at(-1)!.pw) {
        assert.equal(await pgCanLogin(pgc.url(STATIC_USER, seen.at(-1)!.pw)), false, 'old password is dead');
        seen.push({ pw: c.password, at: Date.now(), last: c.last_vault_rotation });
      }
      await sleep(200);
    }
    assert.equal(seen.length, 3, `saw ${seen.length - 1} rotation(s) in 16 s`);
    const gaps = seen.slice(1).map((s, i) => Date.parse(s.last) - Date.parse(seen[i]!.last));
    console.log(
      `# static rotations every ${gaps.join(', ')} ms (rotation_period 5 s), ${checks} login checks`,
    );
    for (const g of gaps) assert.ok(g >= 4500 && g <= 7000, `rotation gap ${g} ms`);
  });

  it('rotate-role rotates now', async () => {
    const before = (await v.ok('GET', 'database/static-creds/st')).data;
    const t0 = Date.now();
    await v.ok('POST', 'database/rotate-role/st');
    const now = (await v.ok('GET', 'database/static-creds/st')).data;
    console.log(`# rotate-role took ${Date.now() - t0} ms`);
    assert.notEqual(now.password, before.password);
    assert.ok(Date.parse(now.last_vault_rotation) >= t0 - 1000);
    assert.ok(now.ttl >= 4, `period restarts (ttl ${now.ttl})`);
    assert.ok(await pgCanLogin(pgc.url(STATIC_USER, now.password)));
    assert.equal(await pgCanLogin(pgc.url(STATIC_USER, before.password)), false);
    assert.equal((await v.call('POST', 'database/rotate-role/nope')).status, 404);
    await v.ok('DELETE', 'database/static-roles/st');
  });
});

describe('rotate-root', () => {
  it('the old root password no longer logs in; Coffer still does', async () => {
    await v.ok('POST', 'database/config/adm', {
      plugin_name: 'postgresql-database-plugin',
      connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${pgc.port}/postgres`,
      username: ADMIN_USER,
      password: ADMIN_PW,
      allowed_roles: 'dyn',
    });
    await v.ok('POST', 'database/roles/dyn', { db_name: 'adm', default_ttl: '1h' });
    const t0 = Date.now();
    await v.ok('POST', 'database/rotate-root/adm');
    console.log(`# rotate-root took ${Date.now() - t0} ms`);
    assert.equal(await pgCanLogin(pgc.url(ADMIN_USER, ADMIN_PW)), false, 'old root password refused');
    const cfg = await v.ok('GET', 'database/config/adm');
    assert.equal(JSON.stringify(cfg).includes(ADMIN_PW), false);
    assert.equal('password' in cfg.data.connection_details, false, 'password is never returned');

    const c = await v.ok('GET', 'database/creds/dyn');
    assert.ok(await pgCanLogin(pgc.url(c.data.username, c.data.password)), 'Coffer still creates users');
    await v.ok('PUT', 'sys/leases/revoke', { lease_id: c.lease_id });
    assert.equal(await pgRoleExists(pgc.adminUrl, c.data.username), false, 'and drops them');
    await v.ok('POST', 'database/reset/adm');
    const c2 = await v.ok('GET', 'database/creds/dyn');
    assert.ok(await pgCanLogin(pgc.url(c2.data.username, c2.data.password)), 'after reset too');
    await v.ok('PUT', 'sys/leases/revoke', { lease_id: c2.lease_id });

    // Twice in a row: still works (the stored password follows).
    await v.ok('POST', 'database/rotate-root/adm');
    const c3 = await v.ok('GET', 'database/creds/dyn');
    assert.ok(await pgCanLogin(pgc.url(c3.data.username, c3.data.password)));
    await v.ok('PUT', 'sys/leases/revoke', { lease_id: c3.lease_id });
  });
});

describe('rotate-root twice in a row', () => {
  it('the second rotate-root (pool closed by the first) answers, and creds still work', async () => {
    await v.ok('POST', 'database/rotate-root/adm');
    const rotateAgain = async () => {
      const t0 = Date.now();
      try {
        const r = await fetch(`${srv.url}/v1/database/rotate-root/adm`, {
          method: 'POST',
          headers: { 'X-Vault-Token': srv.rootToken },
          signal: AbortSignal.timeout(5000),
        });
        return { status: r.status, ms: Date.now() - t0 };
      } catch (err) {
        return { status: 0, ms: Date.now() - t0, error: (err as Error).name };
      }
    };
    const second = await rotateAgain();
    console.log(`# second rotate-root in a row: ${JSON.stringify(second)}`);
    assert.equal(second.status, 204, 'the second rotate-root hangs (no answer in 5 s)');
    const c = await v.ok('GET', 'database/creds/dyn');
    assert.ok(await pgCanLogin(pgc.url(c.data.username, c.data.password)));
    await v.ok('PUT', 'sys/leases/revoke', { lease_id: c.lease_id });
  });
});
