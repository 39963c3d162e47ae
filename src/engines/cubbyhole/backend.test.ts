import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadRequestError,
  NotFoundError,
  type Operation,
  PermissionDeniedError,
  type RequestAuth,
  realSystemView,
  StorageView,
  silentLogger,
} from '../../sdk/index.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { cubbyholeFactory } from './backend.ts';
import { destroyCubbyhole, readCubbyhole, writeCubbyhole } from './store.ts';

function auth(tokenHash: string, tokenType: 'service' | 'batch' = 'service'): RequestAuth {
  return {
    tokenHash,
    accessor: `acc-${tokenHash}`,
    policies: ['default'],
    tokenPolicies: ['default'],
    identityPolicies: [],
    entityId: '',
    displayName: 'token',
    metadata: {},
    tokenType,
    path: 'auth/token/create',
  };
}

async function harness() {
  const inmem = new InmemStorage();
  const storage = new StorageView(inmem, 'logical/cubby/');
  const backend = await cubbyholeFactory({
    storage,
    system: realSystemView(),
    logger: silentLogger,
    mount: { path: 'cubbyhole/', type: 'cubbyhole', accessor: 'cubbyhole_1', uuid: 'u', options: {} },
  });
  const call = (who: RequestAuth | undefined, operation: Operation, mountPath: string, data = {}) =>
    backend.handle({
      id: 'r',
      operation,
      path: `cubbyhole/${mountPath}`,
      data,
      headers: {},
      clientToken: '',
      remoteAddr: '127.0.0.1',
      mountPoint: 'cubbyhole/',
      mountPath,
      ...(who ? { auth: who } : {}),
    });
  return { inmem, storage, backend, call };
}

const A = auth('aaaa1111');
const B = auth('bbbb2222');

describe('cubbyhole', () => {
  it('writes, reads, overwrites, lists and deletes within one token', async () => {
    const { call } = await harness();
    assert.deepEqual(await call(A, 'update', 'app/db', { password: 'p', n: 1 }), {});
    assert.deepEqual(await call(A, 'read', 'app/db'), { data: { password: 'p', n: 1 } });
    await call(A, 'update', 'app/db', { only: 'this' });
    assert.deepEqual((await call(A, 'read', 'app/db')).data, { only: 'this' });
    await call(A, 'update', 'top', { k: 'v' });
    assert.deepEqual(await call(A, 'list', ''), { data: { keys: ['app/', 'top'] } });
    assert.deepEqual(await call(A, 'list', 'app'), { data: { keys: ['db'] } });
    assert.deepEqual(await call(A, 'delete', 'app/db'), {});
    await assert.rejects(call(A, 'read', 'app/db'), NotFoundError);
    await assert.rejects(call(A, 'list', 'app'), NotFoundError);
  });

  it('isolates tokens: the same path holds different entries, lists see only their own', async () => {
    const { call } = await harness();
    await call(A, 'update', 'x', { who: 'a' });
    await assert.rejects(call(B, 'read', 'x'), NotFoundError);
    await assert.rejects(call(B, 'list', ''), NotFoundError);
    await call(B, 'update', 'x', { who: 'b' });
    assert.deepEqual((await call(A, 'read', 'x')).data, { who: 'a' });
    assert.deepEqual((await call(B, 'read', 'x')).data, { who: 'b' });
    await call(B, 'delete', 'x');
    assert.deepEqual((await call(A, 'read', 'x')).data, { who: 'a' });
  });

  it('keys storage by the token hash, never by anything else', async () => {
    const { call, inmem } = await harness();
    await call(A, 'update', 'k', { v: 1 });
    assert.deepEqual(await inmem.list('logical/cubby/'), ['aaaa1111/']);
    assert.deepEqual(await inmem.list('logical/cubby/aaaa1111/'), ['k']);
  });

  it('refuses requests without a token (403) and batch tokens (400)', async () => {
    const { call, backend } = await harness();
    await assert.rejects(call(undefined, 'read', 'x'), PermissionDeniedError);
    await assert.rejects(call(undefined, 'list', ''), PermissionDeniedError);
    await assert.rejects(call(auth(''), 'read', 'x'), PermissionDeniedError);
    await assert.rejects(call(auth('cccc', 'batch'), 'update', 'x', { a: 1 }), BadRequestError);
    await assert.rejects(
      backend.exists({
        id: 'r',
        operation: 'update',
        path: 'cubbyhole/x',
        data: {},
        headers: {},
        clientToken: '',
        remoteAddr: '',
        mountPath: 'x',
      }),
      PermissionDeniedError,
    );
  });

  it('refuses an empty write and has an existence check per token', async () => {
    const { call, backend } = await harness();
    await assert.rejects(call(A, 'update', 'x', {}), /missing data fields/);
    await call(A, 'update', 'x', { a: 1 });
    const req = (who: RequestAuth) => ({
      id: 'r',
      operation: 'update' as const,
      path: 'cubbyhole/x',
      data: {},
      headers: {},
      clientToken: '',
      remoteAddr: '',
      mountPath: 'x',
      auth: who,
    });
    assert.equal(await backend.exists(req(A)), true);
    assert.equal(await backend.exists(req(B)), false);
  });

  it('destroyCubbyhole removes everything of one token and nothing of another', async () => {
    const { call, storage } = await harness();
    for (const p of ['a', 'b/c', 'b/d/e']) await call(A, 'update', p, { v: p });
    await call(B, 'update', 'a', { v: 'b' });
    assert.equal(await destroyCubbyhole(storage, 'aaaa1111'), 3);
    await assert.rejects(call(A, 'list', ''), NotFoundError);
    assert.deepEqual((await call(B, 'read', 'a')).data, { v: 'b' });
    assert.equal(await destroyCubbyhole(storage, 'aaaa1111'), 0);
  });

  it('helpers read and write the same entries the engine serves', async () => {
    const { call, storage } = await harness();
    await writeCubbyhole(storage, 'aaaa1111', 'response', { response: '{}' });
    assert.deepEqual((await call(A, 'read', 'response')).data, { response: '{}' });
    assert.deepEqual(await readCubbyhole(storage, 'aaaa1111', 'response'), { response: '{}' });
    assert.equal(await readCubbyhole(storage, 'bbbb2222', 'response'), undefined);
  });

  it('refuses a token hash that could escape its folder', async () => {
    const { storage } = await harness();
    for (const bad of ['', 'a/b', '..', 'a.b']) {
      await assert.rejects(async () => readCubbyhole(storage, bad, 'x'), /invalid cubbyhole token hash/);
    }
  });
});
