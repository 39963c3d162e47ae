import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { Coffer, MERGE_PATCH } from './index.ts';
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

const meta = { created_time: 't', custom_metadata: null, deletion_time: '', destroyed: false, version: 2 };

test('kvGet reads data/ with an optional version', async () => {
  srv.on('GET /v1/secret/data/app/db', {
    status: 200,
    body: envelope({ data: { pw: 'x' }, metadata: meta }),
  });
  const s = await client.kvGet('secret', 'app/db', { version: 1 });
  assert.deepEqual(s?.data?.data, { pw: 'x' });
  assert.deepEqual(srv.seen[0]!.query, { version: '1' });
  await client.kvGet('secret/', '/app/db');
  assert.deepEqual(srv.seen[1]!.query, {});
  assert.equal(await client.kvGet('secret', 'nope'), null);
});

test('kvPut wraps data and cas; kvPatch uses merge-patch', async () => {
  srv.on('POST /v1/secret/data/a', { status: 200, body: envelope(meta) });
  srv.on('PATCH /v1/secret/data/a', { status: 200, body: envelope(meta) });
  assert.equal((await client.kvPut('secret', 'a', { k: 'v' }, { cas: 0 }))?.data?.version, 2);
  await client.kvPut('secret', 'a', { k: 'v' });
  assert.equal((await client.kvPatch('secret', 'a', { k: null }, { cas: 2 }))?.data?.version, 2);
  assert.deepEqual(srv.seen[0]!.body, { data: { k: 'v' }, options: { cas: 0 } });
  assert.deepEqual(srv.seen[1]!.body, { data: { k: 'v' } });
  assert.deepEqual(srv.seen[2]!.body, { data: { k: null }, options: { cas: 2 } });
  assert.equal(srv.seen[2]!.headers['content-type'], MERGE_PATCH);
});

test('kvList lists metadata/, [] when empty', async () => {
  srv.on('GET /v1/secret/metadata/app/', { status: 200, body: envelope({ keys: ['db', 'web/'] }) });
  assert.deepEqual(await client.kvList('secret', 'app/'), ['db', 'web/']);
  assert.deepEqual(srv.seen[0]!.query, { list: 'true' });
  assert.deepEqual(await client.kvList('secret', 'app'), ['db', 'web/']);
  assert.equal(srv.seen[1]!.path, '/v1/secret/metadata/app/');
  assert.deepEqual(await client.kvList('secret', 'none'), []);
  srv.on('GET /v1/secret/metadata/', { status: 200, body: envelope({ keys: ['app/'] }) });
  assert.deepEqual(await client.kvList('secret'), ['app/']);
});

test('kvDelete, kvUndelete, kvDestroy', async () => {
  srv.on('DELETE /v1/secret/data/a', { status: 204 });
  srv.on('POST /v1/secret/delete/a', { status: 204 });
  srv.on('POST /v1/secret/undelete/a', { status: 204 });
  srv.on('POST /v1/secret/destroy/a', { status: 204 });
  await client.kvDelete('secret', 'a');
  await client.kvDelete('secret', 'a', { versions: [1, 2] });
  await client.kvUndelete('secret', 'a', [1]);
  await client.kvDestroy('secret', 'a', [3]);
  assert.deepEqual(
    srv.seen.map((s) => [s.method, s.path, s.body]),
    [
      ['DELETE', '/v1/secret/data/a', undefined],
      ['POST', '/v1/secret/delete/a', { versions: [1, 2] }],
      ['POST', '/v1/secret/undelete/a', { versions: [1] }],
      ['POST', '/v1/secret/destroy/a', { versions: [3] }],
    ],
  );
});

test('kvMetadataGet / Put / Delete', async () => {
  srv.on('GET /v1/secret/metadata/a', { status: 200, body: envelope({ current_version: 3, versions: {} }) });
  srv.on('POST /v1/secret/metadata/a', { status: 204 });
  srv.on('DELETE /v1/secret/metadata/a', { status: 204 });
  assert.equal((await client.kvMetadataGet('secret', 'a'))?.data?.current_version, 3);
  await client.kvMetadataPut('secret', 'a', {
    max_versions: 5,
    cas_required: true,
    custom_metadata: { o: 'me' },
  });
  await client.kvMetadataDelete('secret', 'a');
  assert.deepEqual(srv.seen[1]!.body, { max_versions: 5, cas_required: true, custom_metadata: { o: 'me' } });
  assert.equal(srv.seen[2]!.method, 'DELETE');
});
