import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { envelope, type RecordingServer, runCli, startRecordingServer } from '../testing/run-cli.ts';

let srv: RecordingServer;
before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => srv.reset());

describe('read', () => {
  test('table with the refresh interval and sorted data', async () => {
    srv.on('GET /v1/secret/foo', {
      status: 200,
      body: envelope({ zeta: 'z', alpha: ['a', 'b'] }, { lease_duration: 2764800 }),
    });
    const r = await runCli(srv, ['read', 'secret/foo']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'Key                 Value\n---                 -----\nrefresh_interval    768h\nalpha               [a b]\nzeta                z\n',
    );
  });

  test('lease rows for a leased secret; warnings on stderr', async () => {
    srv.on('GET /v1/database/creds/ro', {
      status: 200,
      body: envelope(
        { username: 'v-ro-1' },
        {
          lease_id: 'database/creds/ro/abc',
          lease_duration: 3600,
          renewable: true,
          warnings: ['be careful'],
        },
      ),
    });
    const r = await runCli(srv, ['read', 'database/creds/ro']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /lease_id {11}database\/creds\/ro\/abc\nlease_duration {5}1h\nlease_renewable {4}true\nusername {11}v-ro-1/,
    );
    assert.match(r.stderr, /WARNING! [\s\S]*\* be careful/);
  });

  test('-field and -format=json', async () => {
    srv.on('GET /v1/secret/foo', { status: 200, body: envelope({ a: 'b', n: 3 }) });
    assert.equal((await runCli(srv, ['read', '-field=a', 'secret/foo'])).stdout, 'b');
    assert.equal((await runCli(srv, ['read', '-field=n', '-format=json', 'secret/foo'])).stdout, '3');
    const j = await runCli(srv, ['read', '-format=json', 'secret/foo']);
    assert.deepEqual(JSON.parse(j.stdout).data, { a: 'b', n: 3 });
  });

  test('not found: exit 2; permission denied: exit 2', async () => {
    const none = await runCli(srv, ['read', 'secret/none']);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, 'No value found at secret/none\n');
    srv.on('GET /v1/secret/x', { status: 403, body: { errors: ['permission denied'] } });
    const denied = await runCli(srv, ['read', 'secret/x']);
    assert.equal(denied.code, 2);
    assert.match(denied.stderr, /^Error reading secret\/x: /);
  });

  test('flags after the path are not flags (Go style)', async () => {
    const r = await runCli(srv, ['read', 'secret/foo', '-field=a']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Too many arguments/);
  });
});

describe('write', () => {
  test('k=v data; 204 prints Success', async () => {
    srv.on('POST /v1/secret/foo', { status: 204 });
    const r = await runCli(srv, ['write', 'secret/foo', 'a=b', 'c=d']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.seen[0]!.body, { a: 'b', c: 'd' });
    assert.equal(r.stdout, 'Success! Data written to: secret/foo\n');
    const j = await runCli(srv, ['write', '-format=json', 'secret/foo', 'a=b']);
    assert.equal(j.stdout, '');
  });

  test('- reads a JSON object from stdin; a response is printed', async () => {
    srv.on('POST /v1/transit/encrypt/k', { status: 200, body: envelope({ ciphertext: 'coffer:v1:xyz' }) });
    const r = await runCli(srv, ['write', 'transit/encrypt/k', '-'], { stdin: '{"plaintext":"aGk="}' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.seen[0]!.body, { plaintext: 'aGk=' });
    assert.equal(r.stdout, 'Key           Value\n---           -----\nciphertext    coffer:v1:xyz\n');
  });

  test('no data needs -force', async () => {
    assert.equal((await runCli(srv, ['write', 'sys/rotate'])).code, 1);
    srv.on('POST /v1/sys/rotate', { status: 204 });
    assert.equal((await runCli(srv, ['write', '-f', 'sys/rotate'])).code, 0);
    assert.deepEqual(srv.seen[0]!.body, {});
  });

  test('server error: exit 2', async () => {
    srv.on('POST /v1/secret/foo', { status: 400, body: { errors: ['unknown field "x"'] } });
    const r = await runCli(srv, ['write', 'secret/foo', 'x=1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error writing data to secret\/foo: [\s\S]*unknown field "x"/);
  });
});

describe('list and delete', () => {
  test('list uses GET ?list=true', async () => {
    srv.on('GET /v1/secret/', { status: 200, body: envelope({ keys: ['a', 'b/'] }) });
    const r = await runCli(srv, ['list', 'secret/']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Keys\n----\na\nb/\n');
    assert.deepEqual(srv.seen[0]!.query, { list: 'true' });
    assert.deepEqual(JSON.parse((await runCli(srv, ['list', '-format=json', 'secret/'])).stdout), [
      'a',
      'b/',
    ]);
  });

  test('list of nothing: exit 2', async () => {
    const r = await runCli(srv, ['list', 'secret/none/']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'No value found at secret/none/\n');
  });

  test('delete', async () => {
    srv.on('DELETE /v1/secret/foo', { status: 204 });
    const r = await runCli(srv, ['delete', 'secret/foo']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Data deleted (if it existed) at: secret/foo\n');
  });
});
