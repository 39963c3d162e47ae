/**
 * Done when: userpass login for an unknown user and for a known user with a wrong password take
 * the same time within noise (measured over 200 tries each, printed by the test); after the
 * configured number of failures the user is locked out and `sys/locked-users` can unlock it.
 *
 * Tier 3: a real listener (dev mode), plain fetch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redact } from '../helpers/redact.ts';
import { type TestServer, testServer } from '../helpers/server.ts';
import { type Api, expectStatus, type Json, makeApi, sorted, writeKv2, writePolicy } from './helpers.ts';

const TRIES = 200;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('access: userpass timing and lockout', () => {
  let srv: TestServer;
  let api: Api;
  let root: string;
  const login = (mount: string, user: string, password: string) =>
    api('POST', `auth/${mount}/login/${user}`, { body: { password } });
  const enable = async (mount: string) =>
    expectStatus(
      await api('POST', `sys/auth/${mount}`, { token: root, body: { type: 'userpass' } }),
      204,
      `enable userpass at ${mount}`,
    );
  const addUser = async (mount: string, user: string, password: string, policies: string[] = []) =>
    expectStatus(
      await api('POST', `auth/${mount}/users/${user}`, {
        token: root,
        body: { password, token_policies: policies },
      }),
      204,
      `create ${mount} user ${user}`,
    );
  const accessorOf = async (mount: string): Promise<string> => {
    const r = await api('GET', 'sys/auth', { token: root });
    expectStatus(r, 200, 'GET sys/auth');
    const accessor = r.json.data[`${mount}/`]?.accessor;
    assert.equal(typeof accessor, 'string', r.text);
    return accessor;
  };

  before(async () => {
    srv = await testServer();
    api = makeApi(srv.url);
    root = srv.rootToken;
  });
  after(async () => srv?.close());

  it(`unknown user and known user with a wrong password take the same time (${TRIES} tries each)`, async () => {
    await enable('up-timing');
    // Lockout would turn the wrong-password path into the locked path after a few tries; the
    // timing compares the password check itself, so lockout is off on this mount.
    expectStatus(
      await api('POST', 'sys/auth/up-timing/tune', {
        token: root,
        body: { user_lockout_config: { disable_lockout: true } },
      }),
      204,
      'tune disable_lockout',
    );
    await addUser('up-timing', 'known', 'the-right-password');
    expectStatus(await login('up-timing', 'known', 'the-right-password'), 200, 'right password');

    // Warm up both paths (JIT, connection).
    for (let i = 0; i < 5; i++) {
      await login('up-timing', 'nobody-here', 'x');
      await login('up-timing', 'known', 'wrong');
    }
    const unknown: number[] = [];
    const wrong: number[] = [];
    const statuses = new Set<string>();
    const time = async (user: string, into: number[]) => {
      const t0 = performance.now();
      const r = await login('up-timing', user, `wrong-password-${into.length}`);
      into.push(performance.now() - t0);
      statuses.add(`${user === 'known' ? 'wrong-password' : 'unknown-user'}:${r.status}:${redact(r.text)}`);
      assert.equal(r.json?.auth ?? null, null);
    };
    for (let i = 0; i < TRIES; i++) {
      // Alternate the order so drift and warm-up hit both sides equally.
      if (i % 2 === 0) {
        await time(`unknown-${i}`, unknown);
        await time('known', wrong);
      } else {
        await time('known', wrong);
        await time(`unknown-${i}`, unknown);
      }
    }
    const ratio = median(wrong) / median(unknown);
    console.log(
      `# userpass timing over ${TRIES} tries each: unknown user mean ${mean(unknown).toFixed(2)} ms ` +
        `median ${median(unknown).toFixed(2)} ms; wrong password mean ${mean(wrong).toFixed(2)} ms ` +
        `median ${median(wrong).toFixed(2)} ms; median ratio ${ratio.toFixed(3)}`,
    );
    // Both failures look the same on the wire too (status and body), apart from the user name.
    const shapes = new Set([...statuses].map((s) => s.split(':').slice(1).join(':')));
    assert.equal(shapes.size, 1, `one failure shape: ${[...statuses].join(' | ')}`);
    assert.match([...shapes][0]!, /^400:/);
    assert.ok(ratio >= 0.75 && ratio <= 1.33, `median ratio ${ratio} outside 0.75–1.33`);
  });

  it('after lockout_threshold failures the user is locked out; sys/locked-users lists and unlocks it', async () => {
    await enable('userpass');
    expectStatus(
      await api('POST', 'sys/auth/userpass/tune', {
        token: root,
        body: { user_lockout_config: { lockout_threshold: 3, lockout_duration: '10m' } },
      }),
      204,
      'tune user_lockout_config',
    );
    const tuned = await api('GET', 'sys/auth/userpass/tune', { token: root });
    expectStatus(tuned, 200, 'read tune');
    await writePolicy(api, root, 'bob-read', 'path "secret/data/bob/*" {\n  capabilities = ["read"]\n}\n');
    expectStatus(await writeKv2(api, root, { path: 'bob/x' }, { v: 'bob' }), 200, 'write bob/x');
    await addUser('userpass', 'bob', 'bob-right-pw', ['bob-read']);
    await addUser('userpass', 'carol', 'carol-right-pw');

    const first = await login('userpass', 'bob', 'bob-right-pw');
    expectStatus(first, 200, 'bob before lockout');
    assert.deepEqual(sorted(first.json.auth.policies), ['bob-read', 'default']);

    for (let i = 0; i < 3; i++)
      expectStatus(await login('userpass', 'bob', `bad-${i}`), 400, `failure ${i + 1}`);
    const locked = await login('userpass', 'bob', 'bob-right-pw');
    assert.notEqual(locked.status, 200, 'the right password fails while locked');
    assert.equal(locked.json?.auth ?? null, null);
    // Vault answers a locked user with permission denied (403), whatever the password.
    expectStatus(locked, 403, 'locked user, right password');
    expectStatus(await login('userpass', 'carol', 'carol-right-pw'), 200, 'another user is not locked');

    const accessor = await accessorOf('userpass');
    const list = await api('GET', 'sys/locked-users', { token: root });
    expectStatus(list, 200, 'GET sys/locked-users');
    const data: Json = list.json.data;
    const ns = data.by_namespace.find((n: Json) => n.namespace_id === 'root');
    assert.ok(ns, `root namespace in ${redact(list.text)}`);
    const entry = ns.mount_accessors.find((m: Json) => m.mount_accessor === accessor);
    assert.ok(entry, `mount accessor ${accessor} in ${redact(list.text)}`);
    assert.ok(entry.alias_identifiers.includes('bob'), `bob in alias_identifiers: ${redact(list.text)}`);
    assert.ok(!entry.alias_identifiers.includes('carol'), 'carol is not locked');
    assert.ok(entry.counts >= 1);
    assert.ok(data.total >= 1);

    const unlock = await api('POST', `sys/locked-users/${accessor}/unlock/bob`, { token: root });
    expectStatus(unlock, 204, 'unlock bob');
    const again = await login('userpass', 'bob', 'bob-right-pw');
    expectStatus(again, 200, 'bob after unlock');
    expectStatus(
      await api('GET', 'secret/data/bob/x', { token: again.json.auth.client_token }),
      200,
      "bob's token works",
    );
    const after = await api('GET', 'sys/locked-users', { token: root });
    expectStatus(after, 200, 'GET sys/locked-users after unlock');
    const stillLocked = (after.json.data.by_namespace ?? [])
      .flatMap((n: Json) => n.mount_accessors ?? [])
      .filter((m: Json) => m.mount_accessor === accessor)
      .flatMap((m: Json) => m.alias_identifiers ?? []);
    assert.ok(!stillLocked.includes('bob'), `bob no longer listed: ${redact(after.text)}`);
  });
});
