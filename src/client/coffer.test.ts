import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Coffer, CofferApiError, CofferConnectionError } from './index.ts';
import {
  type RecordingServer,
  envelope as secret,
  startRecordingServer,
} from './testing/recording-server.ts';

let srv: RecordingServer;
let client: Coffer;

before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => {
  srv.reset();
  client = new Coffer({ address: `${srv.address}/`, token: 's.root-token' });
});

describe('request', () => {
  test('sends the token, Vault request header and JSON body, and parses JSON', async () => {
    srv.on('POST /v1/secret/foo', { status: 200, body: secret({ ok: true }) });
    const res = await client.request('POST', 'secret/foo', { body: { a: 1 }, query: { x: 'y' } });
    assert.equal(res.status, 200);
    assert.deepEqual((res.body as { data: unknown }).data, { ok: true });
    const seen = srv.seen[0]!;
    assert.equal(seen.headers['x-vault-token'], 's.root-token');
    assert.equal(seen.headers['x-vault-request'], 'true');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.deepEqual(seen.body, { a: 1 });
    assert.deepEqual(seen.query, { x: 'y' });
  });

  test('sends namespace and wrap TTL headers; omits the token header without a token', async () => {
    const anon = new Coffer({ address: srv.address, namespace: 'team-a' });
    srv.on('GET /v1/sys/wrapping/lookup', { status: 200, body: secret({}) });
    await anon.request('GET', '/v1/sys/wrapping/lookup', { wrapTTL: '5m' });
    const seen = srv.seen[0]!;
    assert.equal(seen.headers['x-vault-token'], undefined);
    assert.equal(seen.headers['x-vault-namespace'], 'team-a');
    assert.equal(seen.headers['x-vault-wrap-ttl'], '5m');
  });

  test('percent-encodes path segments once and keeps slashes', async () => {
    srv.on('GET /v1/secret/a%20b/c%3Fd', { status: 200, body: secret({}) });
    await client.read('secret/a b/c?d');
    assert.equal(srv.seen[0]!.path, '/v1/secret/a%20b/c%3Fd');
  });

  test('204 gives a null body; non-JSON text is returned as text', async () => {
    srv.on('POST /v1/sys/seal', { status: 204 });
    srv.on('GET /v1/sys/metrics', { status: 200, raw: 'coffer_up 1\n' });
    assert.deepEqual(await client.request('POST', 'sys/seal'), { status: 204, body: null });
    assert.deepEqual(await client.request('GET', 'sys/metrics'), { status: 200, body: 'coffer_up 1\n' });
  });

  test('errors become CofferApiError with status and errors, never the token', async () => {
    srv.on('GET /v1/secret/x', { status: 403, body: { errors: ['permission denied'] } });
    const err = await client.request('GET', 'secret/x', { query: { version: 2 } }).catch((e: unknown) => e);
    assert.ok(err instanceof CofferApiError);
    assert.equal(err.status, 403);
    assert.deepEqual(err.errors, ['permission denied']);
    assert.match(err.message, /Code: 403/);
    assert.match(err.message, /\* permission denied/);
    assert.match(err.message, /URL: GET http:\/\/127\.0\.0\.1:\d+\/v1\/secret\/x/);
    assert.doesNotMatch(err.message, /root-token/);
    assert.doesNotMatch(err.message, /version=2/);
  });

  test('accept lets chosen error statuses through', async () => {
    srv.on('GET /v1/sys/health', { status: 503, body: { sealed: true } });
    const res = await client.request('GET', 'sys/health', { accept: [503] });
    assert.deepEqual(res, { status: 503, body: { sealed: true } });
  });

  test('connection failures become CofferConnectionError', async () => {
    const closed = await startRecordingServer();
    await closed.close();
    const dead = new Coffer({ address: closed.address, token: 'secret-token' });
    const err = await dead.sys.sealStatus().catch((e: unknown) => e);
    assert.ok(err instanceof CofferConnectionError);
    assert.match(err.message, /GET http:\/\/127\.0\.0\.1:\d+\/v1\/sys\/seal-status: .*ECONNREFUSED/);
    assert.doesNotMatch(err.message, /secret-token/);
  });

  test('rejects addresses that are not http(s)', () => {
    assert.throws(() => new Coffer({ address: 'ftp://x' }), /unsupported address scheme/);
  });

  test('an injected fetch is used', async () => {
    const calls: string[] = [];
    const fake = (async (input: string | URL | Request) => {
      calls.push(String(input));
      return new Response(JSON.stringify({ initialized: true }), { status: 200 });
    }) as typeof fetch;
    const c = new Coffer({ address: 'http://coffer.invalid:8200', fetch: fake });
    assert.deepEqual(await c.sys.initStatus(), { initialized: true });
    assert.deepEqual(calls, ['http://coffer.invalid:8200/v1/sys/init']);
  });
});

describe('logical helpers', () => {
  test('read returns the secret, or null on a bare 404', async () => {
    srv.on('GET /v1/secret/foo', { status: 200, body: secret({ a: 'b' }) });
    assert.deepEqual((await client.read('secret/foo'))?.data, { a: 'b' });
    assert.equal(await client.read('secret/missing'), null);
  });

  test('read keeps a 404 that carries data (deleted KV v2 version)', async () => {
    srv.on('GET /v1/secret/data/gone', {
      status: 404,
      body: secret({ data: null, metadata: { version: 1, deletion_time: '2024-01-01T00:00:00Z' } }),
    });
    const s = await client.read<{ data: unknown }>('secret/data/gone');
    assert.equal(s?.data?.data, null);
  });

  test('write posts JSON and returns null on 204', async () => {
    srv.on('POST /v1/secret/foo', { status: 204 });
    assert.equal(await client.write('secret/foo', { a: 'b' }), null);
    assert.deepEqual(srv.seen[0]!.body, { a: 'b' });
  });

  test('list uses GET ?list=true', async () => {
    srv.on('GET /v1/secret/', { status: 200, body: secret({ keys: ['a', 'b/'] }) });
    const s = await client.list('secret/');
    assert.deepEqual(s?.data?.keys, ['a', 'b/']);
    assert.equal(srv.seen[0]!.method, 'GET');
    assert.deepEqual(srv.seen[0]!.query, { list: 'true' });
    assert.equal(await client.list('nothing/'), null);
  });

  test('delete sends DELETE', async () => {
    srv.on('DELETE /v1/secret/foo', { status: 204 });
    assert.equal(await client.delete('secret/foo'), null);
    assert.equal(srv.seen[0]!.method, 'DELETE');
  });
});
