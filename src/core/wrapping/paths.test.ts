import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../sdk/errors.ts';
import { createBackend, defineBackend } from '../../sdk/framework/index.ts';
import { silentLogger } from '../../sdk/logger.ts';
import type { Operation, Response } from '../../sdk/request.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { realSystemView } from '../../sdk/system.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { sysWrappingPaths } from './paths.ts';
import { fakeWrapping } from './testing.ts';
import { mustWrap, type WrapInfo, wrapResponse } from './wrap.ts';

function harness() {
  const w = fakeWrapping();
  const backend = createBackend(
    defineBackend({ type: 'system', description: 'd', help: 'h', paths: sysWrappingPaths(w.deps) }),
    {
      storage: new StorageView(new InmemStorage(), ''),
      system: realSystemView(),
      logger: silentLogger,
      mount: { path: 'sys/', type: 'system', accessor: 'system_0', uuid: 'u', options: {} },
    },
  );
  const call = (
    operation: Operation,
    mountPath: string,
    data: Record<string, unknown> = {},
    extra: { headers?: Record<string, string>; clientToken?: string } = {},
  ) =>
    backend.handle({
      id: 'req-9',
      operation,
      path: `sys/${mountPath}`,
      data,
      headers: extra.headers ?? {},
      clientToken: extra.clientToken ?? '',
      remoteAddr: '127.0.0.1',
      mountPoint: 'sys/',
      mountPath,
    });
  /** What core does when X-Vault-Wrap-TTL is present. */
  const wrapped = async (ttl: number, body: Record<string, unknown>) => {
    const res = await call('update', 'wrapping/wrap', body, { headers: { 'x-vault-wrap-ttl': String(ttl) } });
    assert.equal(mustWrap(res), true);
    return (await wrapResponse(w.deps, res, { ttl, creationPath: 'sys/wrapping/wrap' })).envelope
      ?.wrap_info as WrapInfo;
  };
  return { w, backend, call, wrapped };
}

describe('sys/wrapping paths', () => {
  it('declares lookup, unwrap and rewrap unauthenticated, wrap authenticated', () => {
    const { backend } = harness();
    const un = (p: string) => backend.match(p)?.path.unauthenticated ?? [];
    assert.deepEqual(un('wrapping/wrap'), []);
    assert.ok(un('wrapping/unwrap').includes('update'));
    assert.ok(un('wrapping/lookup').includes('update') && un('wrapping/lookup').includes('read'));
    assert.ok(un('wrapping/rewrap').includes('update'));
    assert.equal(backend.match('wrapping/unwrap')?.path.fields.token?.sensitive, true);
  });

  it('wrap returns the body marked must-wrap, and needs the header and a body', async () => {
    const { call } = harness();
    const res = await call(
      'update',
      'wrapping/wrap',
      { a: 1, b: { c: [2] } },
      { headers: { 'x-vault-wrap-ttl': '5m' } },
    );
    assert.deepEqual(res.data, { a: 1, b: { c: [2] } });
    assert.equal(mustWrap(res), true);
    await assert.rejects(call('update', 'wrapping/wrap', { a: 1 }), /requires response wrapping/);
    await assert.rejects(
      call('update', 'wrapping/wrap', {}, { headers: { 'x-vault-wrap-ttl': '60' } }),
      /empty request body/,
    );
    await assert.rejects(
      call('update', 'wrapping/wrap', { a: 1 }, { headers: { 'x-vault-wrap-ttl': 'soon' } }),
      BadRequestError,
    );
  });

  it('unwrap with the token in the body, once', async () => {
    const { call, wrapped } = harness();
    const info = await wrapped(60, { hello: 'world' });
    const res = await call('update', 'wrapping/unwrap', { token: info.token });
    assert.deepEqual(res, { data: { hello: 'world' } });
    await assert.rejects(
      call('update', 'wrapping/unwrap', { token: info.token }),
      /wrapping token is not valid or does not exist/,
    );
  });

  it('unwrap with the wrapping token as the request token', async () => {
    const { call, wrapped } = harness();
    const info = await wrapped(60, { hello: 'world' });
    const res = await call('update', 'wrapping/unwrap', {}, { clientToken: info.token });
    assert.deepEqual(res.data, { hello: 'world' });
    await assert.rejects(call('update', 'wrapping/unwrap', {}, { clientToken: info.token }), BadRequestError);
    await assert.rejects(call('update', 'wrapping/unwrap', {}), /missing "token"/);
  });

  it('unwrap returns a wrapped login: auth in the envelope, no data (not a new login)', async () => {
    const { w, call } = harness();
    const login: Response = { envelope: { auth: { client_token: 'hvs.x', accessor: 'a', policies: ['p'] } } };
    const info = (await wrapResponse(w.deps, login, { ttl: 60, creationPath: 'auth/userpass/login/bob' }))
      .envelope?.wrap_info as WrapInfo;
    const res = await call('update', 'wrapping/unwrap', { token: info.token });
    assert.equal(res.auth, undefined);
    assert.deepEqual(res, { envelope: { auth: { client_token: 'hvs.x', accessor: 'a', policies: ['p'] } } });
  });

  it('lookup by body or query, without consuming', async () => {
    const { call, wrapped } = harness();
    const info = await wrapped(120, { k: 'v' });
    const want = { creation_path: 'sys/wrapping/wrap', creation_time: info.creation_time, creation_ttl: 120 };
    assert.deepEqual((await call('update', 'wrapping/lookup', { token: info.token })).data, want);
    assert.deepEqual((await call('read', 'wrapping/lookup', { token: info.token })).data, want);
    assert.deepEqual((await call('read', 'wrapping/lookup', {}, { clientToken: info.token })).data, want);
    assert.deepEqual((await call('update', 'wrapping/unwrap', { token: info.token })).data, { k: 'v' });
    await assert.rejects(call('update', 'wrapping/lookup', { token: info.token }), /not valid/);
  });

  it('rewrap gives a new token for the same content', async () => {
    const { call, wrapped } = harness();
    const info = await wrapped(120, { k: 'v' });
    const res = await call('update', 'wrapping/rewrap', { token: info.token });
    assert.equal(res.data, undefined);
    const fresh = res.envelope?.wrap_info as WrapInfo;
    assert.equal(fresh.ttl, 120);
    assert.equal(fresh.creation_path, 'sys/wrapping/wrap');
    await assert.rejects(call('update', 'wrapping/unwrap', { token: info.token }), /not valid/);
    assert.deepEqual((await call('update', 'wrapping/unwrap', { token: fresh.token })).data, { k: 'v' });
  });

  it('refuses unknown fields on unwrap', async () => {
    const { call } = harness();
    await assert.rejects(call('update', 'wrapping/unwrap', { token: 'x', extra: 1 }), /unknown field/);
  });
});
