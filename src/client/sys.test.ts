import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { Coffer } from './index.ts';
import { envelope, type RecordingServer, startRecordingServer } from './testing/recording-server.ts';

let srv: RecordingServer;
let client: Coffer;

before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => {
  srv.reset();
  client = new Coffer({ address: srv.address, token: 'root' });
});

const sealStatus = {
  type: 'shamir',
  initialized: true,
  sealed: true,
  t: 3,
  n: 5,
  progress: 1,
  nonce: 'n1',
  version: '0.1.0',
};

test('sealStatus, initStatus and init', async () => {
  srv.on('GET /v1/sys/seal-status', { status: 200, body: sealStatus });
  srv.on('GET /v1/sys/init', { status: 200, body: { initialized: false } });
  srv.on('POST /v1/sys/init', {
    status: 200,
    body: { keys: ['aa'], keys_base64: ['qg=='], root_token: 'r' },
  });
  assert.deepEqual(await client.sys.sealStatus(), sealStatus);
  assert.deepEqual(await client.sys.initStatus(), { initialized: false });
  const init = await client.sys.init({ secret_shares: 1, secret_threshold: 1 });
  assert.equal(init.root_token, 'r');
  assert.deepEqual(srv.seen[2]!.body, { secret_shares: 1, secret_threshold: 1 });
});

test('unseal with a key or a reset; seal', async () => {
  srv.on('POST /v1/sys/unseal', { status: 200, body: sealStatus });
  srv.on('POST /v1/sys/seal', { status: 204 });
  await client.sys.unseal('key-share');
  await client.sys.unseal({ reset: true });
  await client.sys.seal();
  assert.deepEqual(
    srv.seen.map((s) => [s.method, s.path, s.body]),
    [
      ['POST', '/v1/sys/unseal', { key: 'key-share' }],
      ['POST', '/v1/sys/unseal', { reset: true }],
      ['POST', '/v1/sys/seal', undefined],
    ],
  );
});

test('health passes standby / sealed statuses through with their query', async () => {
  srv.on('GET /v1/sys/health', { status: 503, body: { initialized: true, sealed: true, standby: true } });
  const health = await client.sys.health({ query: { standbyok: true } });
  assert.equal(health.sealed, true);
  assert.deepEqual(srv.seen[0]!.query, { standbyok: 'true' });
});

test('keyStatus reads the data envelope or a bare body; rotate posts', async () => {
  srv.on('GET /v1/sys/key-status', {
    status: 200,
    body: envelope({ term: 2, install_time: 't', encryptions: 7 }),
  });
  srv.on('POST /v1/sys/rotate', { status: 204 });
  assert.deepEqual(await client.sys.keyStatus(), { term: 2, install_time: 't', encryptions: 7 });
  await client.sys.rotate();
  srv.on('GET /v1/sys/key-status', { status: 200, body: { term: 3, install_time: 'u' } });
  assert.deepEqual(await client.sys.keyStatus(), { term: 3, install_time: 'u' });
});

test('rekey init, status, update, cancel', async () => {
  const status = { nonce: 'abc', started: true, t: 2, n: 3, progress: 0, required: 3 };
  srv.on('POST /v1/sys/rekey/init', { status: 200, body: status });
  srv.on('GET /v1/sys/rekey/init', { status: 200, body: status });
  srv.on('DELETE /v1/sys/rekey/init', { status: 204 });
  srv.on('POST /v1/sys/rekey/update', { status: 200, body: { nonce: 'abc', complete: true, keys: ['00'] } });
  assert.equal((await client.sys.rekeyInit({ secret_shares: 3, secret_threshold: 2 })).nonce, 'abc');
  assert.equal((await client.sys.rekeyStatus()).required, 3);
  assert.equal((await client.sys.rekeyUpdate('k', 'abc')).complete, true);
  await client.sys.rekeyCancel();
  assert.deepEqual(srv.seen[0]!.body, { secret_shares: 3, secret_threshold: 2 });
  assert.deepEqual(srv.seen[2]!.body, { key: 'k', nonce: 'abc' });
  assert.equal(srv.seen[3]!.method, 'DELETE');
});

test('mounts: list from data (ignoring envelope fields), enable, tune, read tune, disable', async () => {
  const kv = { type: 'kv', description: '', accessor: 'kv_1', config: {}, options: { version: '2' } };
  srv.on('GET /v1/sys/mounts', { status: 200, body: { ...envelope({ 'secret/': kv }), 'secret/': kv } });
  srv.on('POST /v1/sys/mounts/team/kv', { status: 204 });
  srv.on('POST /v1/sys/mounts/team/kv/tune', { status: 204 });
  srv.on('GET /v1/sys/mounts/team/kv/tune', {
    status: 200,
    body: envelope({ default_lease_ttl: 60, max_lease_ttl: 120, force_no_cache: false }),
  });
  srv.on('DELETE /v1/sys/mounts/team/kv', { status: 204 });
  assert.deepEqual(Object.keys(await client.sys.mounts()), ['secret/']);
  await client.sys.enableMount('team/kv/', { type: 'kv', options: { version: '2' }, description: 'd' });
  await client.sys.tuneMount('/team/kv', { max_lease_ttl: '2m' });
  assert.equal((await client.sys.readTune('team/kv')).max_lease_ttl, 120);
  await client.sys.disableMount('team/kv');
  assert.deepEqual(srv.seen[1]!.body, { type: 'kv', options: { version: '2' }, description: 'd' });
  assert.deepEqual(srv.seen[2]!.body, { max_lease_ttl: '2m' });
  assert.equal(srv.seen[4]!.method, 'DELETE');
});

test('kvMount detects the version and splits the path', async () => {
  srv.on('GET /v1/sys/internal/ui/mounts/secret/app/db', {
    status: 200,
    body: envelope({ path: 'secret/', type: 'kv', options: { version: '2' } }),
  });
  srv.on('GET /v1/sys/internal/ui/mounts/old/x', {
    status: 200,
    body: envelope({ path: 'old/', type: 'kv', options: null }),
  });
  srv.on('GET /v1/sys/internal/ui/mounts/secret', {
    status: 200,
    body: envelope({ path: 'secret/', type: 'kv', options: { version: '2' } }),
  });
  assert.deepEqual(await client.kvMount('secret/app/db'), { mount: 'secret/', version: 2, path: 'app/db' });
  assert.deepEqual(await client.kvMount('old/x'), { mount: 'old/', version: 1, path: 'x' });
  assert.deepEqual(await client.kvMount('secret'), { mount: 'secret/', version: 2, path: '' });
  // A server without the endpoint: KV v1, mount unknown.
  assert.deepEqual(await client.kvMount('legacy/a'), { mount: '', version: 1, path: 'legacy/a' });
});

test('kvMount propagates permission errors', async () => {
  srv.on('GET /v1/sys/internal/ui/mounts/secret/a', { status: 403, body: { errors: ['permission denied'] } });
  await assert.rejects(client.kvMount('secret/a'), { name: 'CofferApiError', status: 403 });
});
