import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  envelope,
  kvMountRoute,
  type RecordingServer,
  runCli,
  startRecordingServer,
} from '../testing/run-cli.ts';

let srv: RecordingServer;
before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => srv.reset());

const wrapInfo = {
  token: 's.wrap',
  accessor: 'wacc',
  ttl: 120,
  creation_time: '2024-01-01T00:00:00Z',
  creation_path: 'secret/x',
};
const wrapped = envelope(null, { wrap_info: wrapInfo });
const header = (i: number) => srv.seen[i]!.headers['x-vault-wrap-ttl'];

describe('unwrap', () => {
  test('a given token goes in the body; the table is that of the wrapped secret', async () => {
    srv.on('POST /v1/sys/wrapping/unwrap', { status: 200, body: envelope({ foo: 'bar' }) });
    const r = await runCli(srv, ['unwrap', 's.wrap']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Key    Value\n---    -----\nfoo    bar\n');
    assert.deepEqual(srv.seen[0]!.body, { token: 's.wrap' });
    assert.equal(srv.seen[0]!.headers['x-vault-token'], 'root-token');
  });

  test('without a token the current token is the wrapping token; -field; -format=json', async () => {
    srv.on('POST /v1/sys/wrapping/unwrap', { status: 200, body: envelope({ foo: 'bar' }) });
    const r = await runCli(srv, ['unwrap', '-field=foo'], { env: { COFFER_TOKEN: 's.wrap' } });
    assert.equal(r.stdout, 'bar');
    assert.equal(srv.seen[0]!.body, undefined);
    assert.equal(srv.seen[0]!.headers['x-vault-token'], 's.wrap');
    const json = await runCli(srv, ['unwrap', '-format=json', 's.wrap']);
    assert.deepEqual(JSON.parse(json.stdout).data, { foo: 'bar' });
  });

  test('an empty wrapped response exits 2; a used token exits 2; too many arguments exit 1', async () => {
    srv.on('POST /v1/sys/wrapping/unwrap', { status: 204 });
    const empty = await runCli(srv, ['unwrap', 's.wrap']);
    assert.equal(empty.code, 2);
    assert.equal(empty.stderr, 'Could not find wrapped response\n');
    srv.on('POST /v1/sys/wrapping/unwrap', {
      status: 400,
      body: { errors: ['wrapping token is not valid'] },
    });
    const used = await runCli(srv, ['unwrap', 's.wrap']);
    assert.equal(used.code, 2);
    assert.match(used.stderr, /^Error unwrapping: [\s\S]*not valid/);
    assert.equal((await runCli(srv, ['unwrap', 'a', 'b'])).code, 1);
  });
});

describe('-wrap-ttl', () => {
  test('read and write send X-Vault-Wrap-TTL and print the wrap_info table', async () => {
    srv.on('GET /v1/secret/x', { status: 200, body: wrapped });
    srv.on('POST /v1/secret/x', { status: 200, body: wrapped });
    const r = await runCli(srv, ['read', '-wrap-ttl=2m', 'secret/x']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(header(0), '2m');
    assert.match(
      r.stdout,
      /^Key\s+Value\n---\s+-----\nwrapping_token:\s+s\.wrap\nwrapping_accessor:\s+wacc\n/,
    );
    assert.match(r.stdout, /wrapping_token_ttl:\s+2m\n/);
    const w = await runCli(srv, ['write', '-wrap-ttl=2m', '-field=wrapping_token', 'secret/x', 'a=b']);
    assert.equal(w.stdout, 's.wrap');
    assert.equal(header(1), '2m');
  });

  test('kv get and kv put wrap the data call, not the mount lookup', async () => {
    kvMountRoute(srv, 'secret', 2);
    srv.on('GET /v1/secret/data/app', { status: 200, body: wrapped });
    srv.on('POST /v1/secret/data/app', { status: 200, body: wrapped });
    const get = await runCli(srv, ['kv', 'get', '-wrap-ttl=30s', 'secret/app']);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /wrapping_token:\s+s\.wrap/);
    const put = await runCli(srv, ['kv', 'put', '-wrap-ttl=30s', 'secret/app', 'a=b']);
    assert.equal(put.code, 0, put.stderr);
    assert.match(put.stdout, /wrapping_token:\s+s\.wrap/);
    const field = await runCli(srv, ['kv', 'get', '-wrap-ttl=30s', '-field=wrapping_token', 'secret/app']);
    assert.equal(field.stdout, 's.wrap');
    assert.deepEqual(
      srv.seen.map((s) => [s.method, s.path.replace(/\/app$/, ''), s.headers['x-vault-wrap-ttl']]),
      [
        ['GET', '/v1/sys/internal/ui/mounts/secret', undefined],
        ['GET', '/v1/secret/data', '30s'],
        ['GET', '/v1/sys/internal/ui/mounts/secret', undefined],
        ['POST', '/v1/secret/data', '30s'],
        ['GET', '/v1/sys/internal/ui/mounts/secret', undefined],
        ['GET', '/v1/secret/data', '30s'],
      ],
    );
  });

  test('COFFER_WRAP_TTL sets it too; without either no header is sent', async () => {
    srv.on('GET /v1/secret/x', { status: 200, body: wrapped });
    await runCli(srv, ['read', 'secret/x'], { env: { COFFER_WRAP_TTL: '1m' } });
    srv.on('GET /v1/secret/x', { status: 200, body: envelope({ a: 'b' }) });
    await runCli(srv, ['read', 'secret/x']);
    assert.equal(header(0), '1m');
    assert.equal(header(1), undefined);
  });
});
