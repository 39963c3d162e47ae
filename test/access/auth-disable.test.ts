/**
 * Disabling an auth method revokes every token it issued, with their children, as in Vault; tokens
 * of other methods keep working, and a method enabled again at the same path starts empty.
 *
 * Tier 3: a real listener (dev mode), plain fetch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redact } from '../helpers/redact.ts';
import { type TestServer, testServer } from '../helpers/server.ts';
import { type Api, expectStatus, makeApi, writePolicy } from './helpers.ts';

describe('access: disabling an auth method', () => {
  let srv: TestServer;
  let api: Api;
  let root: string;

  const enable = async (mount: string) =>
    expectStatus(
      await api('POST', `sys/auth/${mount}`, { token: root, body: { type: 'userpass' } }),
      204,
      `enable ${mount}`,
    );
  const addUser = async (mount: string, user: string) =>
    expectStatus(
      await api('POST', `auth/${mount}/users/${user}`, {
        token: root,
        body: { password: 'pw-for-tests', token_policies: ['child-maker'] },
      }),
      204,
      `create ${mount}/${user}`,
    );
  const login = async (mount: string, user: string): Promise<{ token: string; accessor: string }> => {
    const r = await api('POST', `auth/${mount}/login/${user}`, { body: { password: 'pw-for-tests' } });
    expectStatus(r, 200, `login ${mount}/${user}`);
    return { token: r.json.auth.client_token, accessor: r.json.auth.accessor };
  };
  const lookupSelf = (token: string) => api('GET', 'auth/token/lookup-self', { token });

  before(async () => {
    srv = await testServer();
    api = makeApi(srv.url);
    root = srv.rootToken;
    await writePolicy(api, root, 'child-maker', 'path "auth/token/create" { capabilities = ["update"] }');
  });
  after(async () => srv?.close());

  it('revokes its tokens and their children; other methods keep theirs', async () => {
    await enable('up-gone');
    await enable('up-kept');
    await addUser('up-gone', 'alice');
    await addUser('up-gone', 'bob');
    await addUser('up-kept', 'carol');
    const alice = await login('up-gone', 'alice');
    const bob = await login('up-gone', 'bob');
    const carol = await login('up-kept', 'carol');

    const self = await lookupSelf(alice.token);
    expectStatus(self, 200, 'lookup-self before');
    assert.equal(self.json.data.path, 'auth/up-gone/login/alice');

    // A child of alice's token, created through the token method: it goes with its parent.
    const child = await api('POST', 'auth/token/create', {
      token: alice.token,
      body: { policies: ['default'] },
    });
    expectStatus(child, 200, 'child token');
    const childToken: string = child.json.auth.client_token;
    // An orphan created by root at a path outside the method stays.
    const other = await api('POST', 'auth/token/create', { token: root, body: { policies: ['default'] } });
    expectStatus(other, 200, 'root-made token');
    const otherToken: string = other.json.auth.client_token;

    expectStatus(await api('DELETE', 'sys/auth/up-gone', { token: root }), 204, 'disable up-gone');

    for (const [name, t] of [
      ['alice', alice.token],
      ['bob', bob.token],
      ['alice child', childToken],
    ] as const) {
      expectStatus(await lookupSelf(t), 403, `${name} after disable`);
      expectStatus(
        await api('GET', 'secret/data/anything', { token: t }),
        403,
        `${name} cannot read after disable`,
      );
    }
    const byAccessor = await api('POST', 'auth/token/lookup-accessor', {
      token: root,
      body: { accessor: alice.accessor },
    });
    assert.ok(byAccessor.status >= 400, `alice's accessor is gone: ${byAccessor.status}`);
    expectStatus(await lookupSelf(carol.token), 200, 'carol (other method) still works');
    expectStatus(await lookupSelf(otherToken), 200, 'root-made token still works');
  });

  it('a method enabled again at the same path starts empty and issues new tokens', async () => {
    await enable('up-again');
    await addUser('up-again', 'dave');
    const first = await login('up-again', 'dave');
    expectStatus(await api('DELETE', 'sys/auth/up-again', { token: root }), 204, 'disable');
    await enable('up-again');
    const r = await api('POST', 'auth/up-again/login/dave', { body: { password: 'pw-for-tests' } });
    assert.ok(r.status === 400 || r.status === 403, `old user is gone: ${r.status} ${redact(r.text)}`);
    await addUser('up-again', 'dave');
    const second = await login('up-again', 'dave');
    expectStatus(await lookupSelf(first.token), 403, 'token of the first method');
    expectStatus(await lookupSelf(second.token), 200, 'token of the new method');
  });

  it('no token survives from logins that race the disable', async () => {
    await enable('up-race');
    await addUser('up-race', 'frank');
    // Argon2id makes each login take a while: some are still running when the disable lands.
    const logins = Array.from({ length: 12 }, () =>
      api('POST', 'auth/up-race/login/frank', { body: { password: 'pw-for-tests' } }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expectStatus(await api('DELETE', 'sys/auth/up-race', { token: root }), 204, 'disable during logins');
    const results = await Promise.all(logins);
    for (const r of results) {
      assert.ok([200, 400, 403, 404].includes(r.status), `login answered ${r.status} ${redact(r.text)}`);
      if (r.status !== 200) continue;
      expectStatus(await lookupSelf(r.json.auth.client_token), 403, 'a token from a raced login');
    }
  });

  it('moving an auth method (sys/remount) revokes its tokens and keeps its users', async () => {
    await enable('up-move');
    await addUser('up-move', 'gina');
    const before = await login('up-move', 'gina');
    const moved = await api('POST', 'sys/remount', {
      token: root,
      body: { from: 'auth/up-move', to: 'auth/up-moved' },
    });
    expectStatus(moved, 200, 'remount');
    expectStatus(await lookupSelf(before.token), 403, 'token issued before the move');
    const after = await login('up-moved', 'gina');
    const self = await lookupSelf(after.token);
    expectStatus(self, 200, 'token issued after the move');
    assert.equal(self.json.data.path, 'auth/up-moved/login/gina');
    const old = await api('POST', 'auth/up-move/login/gina', { body: { password: 'pw-for-tests' } });
    assert.ok(old.status >= 400, `the old path is gone: ${old.status}`);
  });

  it('disabling a secrets engine leaves tokens alone', async () => {
    await enable('up-stay');
    await addUser('up-stay', 'erin');
    const erin = await login('up-stay', 'erin');
    expectStatus(
      await api('POST', 'sys/mounts/kv-tmp', {
        token: root,
        body: { type: 'kv', options: { version: '2' } },
      }),
      204,
      'mount kv',
    );
    expectStatus(await api('DELETE', 'sys/mounts/kv-tmp', { token: root }), 204, 'unmount kv');
    expectStatus(await lookupSelf(erin.token), 200, 'erin still works');
  });
});
