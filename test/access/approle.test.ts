/**
 * Done when: AppRole secret zero: `auth/approle/role/r/secret-id` with `X-Vault-Wrap-TTL: 60s`
 * returns only a wrapping token; unwrapping it once yields a `secret_id`; logging in with
 * `role_id` + `secret_id` yields a token with the role's policies; the second unwrap fails.
 *
 * Tier 3: a real listener (dev mode), plain fetch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redact } from '../helpers/redact.ts';
import { type TestServer, testServer } from '../helpers/server.ts';
import { type Api, expectStatus, type Json, makeApi, sorted, writeKv2, writePolicy } from './helpers.ts';

/** Every key anywhere in a JSON value. */
function allKeys(v: Json, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) allKeys(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      allKeys(x, out);
    }
  }
  return out;
}

describe('access: AppRole secret zero with response wrapping', () => {
  let srv: TestServer;
  let api: Api;
  let root: string;
  let roleId: string;
  const login = (role_id: string, secret_id: string) =>
    api('POST', 'auth/approle/login', { body: { role_id, secret_id } });

  before(async () => {
    srv = await testServer();
    api = makeApi(srv.url);
    root = srv.rootToken;
    const en = await api('POST', 'sys/auth/approle', { token: root, body: { type: 'approle' } });
    expectStatus(en, 204, 'enable approle');
    await writePolicy(api, root, 'app-read', 'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\n');
    expectStatus(await writeKv2(api, root, { path: 'app/db' }, { password: 'approle-db-pw' }), 200, 'write');
    expectStatus(await writeKv2(api, root, { path: 'other' }, { v: 'no' }), 200, 'write other');
    const role = await api('POST', 'auth/approle/role/r', {
      token: root,
      body: { token_policies: ['app-read'], secret_id_ttl: '10m', token_ttl: '20m' },
    });
    expectStatus(role, 204, 'create role r');
    const rid = await api('GET', 'auth/approle/role/r/role-id', { token: root });
    expectStatus(rid, 200, 'read role-id');
    roleId = rid.json.data.role_id;
    assert.equal(typeof roleId, 'string');
    assert.ok(roleId.length > 0);
  });
  after(async () => srv?.close());

  it('wrapped secret-id → one unwrap → login with the role policies; a second unwrap fails', async () => {
    const wrapped = await api('POST', 'auth/approle/role/r/secret-id', {
      token: root,
      headers: { 'X-Vault-Wrap-TTL': '60s' },
    });
    expectStatus(wrapped, 200, 'wrapped secret-id');
    assert.equal(typeof wrapped.json.wrap_info?.token, 'string', wrapped.text);
    assert.equal(wrapped.json.wrap_info.ttl, 60);
    assert.equal(wrapped.json.wrap_info.creation_path, 'auth/approle/role/r/secret-id');
    assert.equal(wrapped.json.data, null, 'no data beside wrap_info');
    assert.equal(wrapped.json.auth, null, 'no auth beside wrap_info');
    assert.ok(!allKeys(wrapped.json).includes('secret_id'), `no secret_id anywhere: ${redact(wrapped.text)}`);
    const wrapToken: string = wrapped.json.wrap_info.token;

    // Secret zero: the application holds only the wrapping token and unwraps with it.
    const un = await api('POST', 'sys/wrapping/unwrap', { token: wrapToken });
    expectStatus(un, 200, 'first unwrap');
    const secretId: string = un.json.data.secret_id;
    assert.equal(typeof secretId, 'string', un.text);
    assert.ok(secretId.length > 0);
    assert.equal(typeof un.json.data.secret_id_accessor, 'string');
    assert.ok(!wrapped.text.includes(secretId), 'the wrapped response never held the secret_id');

    const second = await api('POST', 'sys/wrapping/unwrap', { token: wrapToken });
    expectStatus(second, 400, 'second unwrap (wrapping token as X-Vault-Token)');
    assert.ok(!second.text.includes(secretId));
    const third = await api('POST', 'sys/wrapping/unwrap', { token: root, body: { token: wrapToken } });
    expectStatus(third, 400, 'third unwrap (root as caller)');

    const li = await login(roleId, secretId);
    expectStatus(li, 200, 'approle login');
    const auth = li.json.auth;
    assert.deepEqual(sorted(auth.policies), ['app-read', 'default']);
    assert.deepEqual(sorted(auth.token_policies), ['app-read', 'default']);
    assert.equal(auth.metadata.role_name, 'r');
    assert.equal(auth.lease_duration, 1200);
    assert.equal(auth.renewable, true);
    const token: string = auth.client_token;

    const ok = await api('GET', 'secret/data/app/db', { token });
    expectStatus(ok, 200, 'read with the approle token');
    assert.deepEqual(ok.json.data.data, { password: 'approle-db-pw' });
    expectStatus(await api('GET', 'secret/data/other', { token }), 403, 'read outside the policy');
  });

  it('wrong role_id or secret_id: login fails without auth', async () => {
    const sid = await api('POST', 'auth/approle/role/r/secret-id', { token: root });
    expectStatus(sid, 200, 'plain secret-id');
    const secretId: string = sid.json.data.secret_id;
    for (const [what, r] of [
      ['wrong secret_id', await login(roleId, `${secretId.slice(0, -4)}0000`)],
      ['wrong role_id', await login('00000000-0000-0000-0000-000000000000', secretId)],
    ] as const) {
      expectStatus(r, 400, what);
      assert.equal(r.json?.auth ?? null, null);
    }
    expectStatus(await login(roleId, secretId), 200, 'the right pair still works');
  });

  it('secret_id_num_uses=1: the second login with the same secret_id fails', async () => {
    expectStatus(
      await api('POST', 'auth/approle/role/once', {
        token: root,
        body: { token_policies: ['app-read'], secret_id_num_uses: 1 },
      }),
      204,
      'create role once',
    );
    const rid = (await api('GET', 'auth/approle/role/once/role-id', { token: root })).json.data.role_id;
    const sid = await api('POST', 'auth/approle/role/once/secret-id', { token: root });
    expectStatus(sid, 200, 'secret-id');
    const secretId: string = sid.json.data.secret_id;
    expectStatus(await login(rid, secretId), 200, 'first login');
    const again = await login(rid, secretId);
    expectStatus(again, 400, 'second login');
    assert.equal(again.json?.auth ?? null, null);
  });
});
