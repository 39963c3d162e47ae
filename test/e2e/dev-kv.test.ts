/**
 * Done when: `coffer server -dev -dev-listen-address=127.0.0.1:PORT -dev-root-token-id=TOKEN` serves
 * KV v2 at `secret/`; `curl` with that token can write, read, list (`LIST` and `?list=true`), patch,
 * soft-delete, undelete and destroy versions, with the JSON Vault returns for each.
 *
 * Tier 5: a real `coffer server -dev` process, driven by the real `curl` binary and the real CLI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.ts';

const execFileP = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON bodies, asserted field by field
type Json = any;

interface CurlResult {
  status: number;
  /** Header names in lower case. */
  headers: Map<string, string>;
  body: string;
  json: Json;
}

/** Runs `curl -s -i ... URL` and splits status, headers and body (one call, no second request). */
async function curl(args: string[]): Promise<CurlResult> {
  const { stdout } = await execFileP('curl', [
    '-s',
    '-S',
    '-i',
    '--max-time',
    '10',
    '-w',
    '\n%{http_code}',
    ...args,
  ]);
  const cut = stdout.lastIndexOf('\n');
  const status = Number(stdout.slice(cut + 1));
  let raw = stdout.slice(0, cut);
  // Skip interim `100 Continue` heads.
  while (/^HTTP\/1\.1 1\d\d /.test(raw)) raw = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const sep = raw.indexOf('\r\n\r\n');
  const head = sep === -1 ? raw : raw.slice(0, sep);
  const body = sep === -1 ? '' : raw.slice(sep + 4);
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let json: Json;
  if (body !== '') {
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
  }
  return { status, headers, body, json };
}

const ENVELOPE_KEYS = [
  'request_id',
  'lease_id',
  'renewable',
  'lease_duration',
  'data',
  'wrap_info',
  'warnings',
  'auth',
  'mount_type',
];
const VERSION_METADATA_KEYS = ['created_time', 'custom_metadata', 'deletion_time', 'destroyed', 'version'];
/** RFC 3339 with nine fraction digits, UTC, as Vault prints times. */
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const sorted = (o: object) => Object.keys(o).sort();

function assertEnvelope(r: CurlResult): void {
  assert.deepEqual(Object.keys(r.json), ENVELOPE_KEYS, `envelope keys of ${r.body}`);
  assert.match(r.json.request_id, UUID);
  assert.equal(r.json.lease_id, '');
  assert.equal(r.json.renewable, false);
  assert.equal(r.json.lease_duration, 0);
  assert.equal(r.json.wrap_info, null);
  assert.equal(r.json.warnings, null);
  assert.equal(r.json.auth, null);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
}

function assertVersionMetadata(m: Json, version: number): void {
  assert.deepEqual(sorted(m), VERSION_METADATA_KEYS);
  assert.equal(m.version, version);
  assert.match(m.created_time, TIME);
  assert.equal(m.custom_metadata, null);
}

describe('e2e: coffer server -dev serves KV v2 at secret/ to curl', () => {
  const token = `e2e-root-${randomBytes(6).toString('hex')}`;
  let server: ServerProcess;
  let url: string;
  const auth = () => ['-H', `X-Vault-Token: ${token}`];
  const env = () => ({ VAULT_ADDR: url, COFFER_ADDR: url, VAULT_TOKEN: token, COFFER_TOKEN: token });

  before(async () => {
    server = await startServerProcess({ dev: { rootToken: token } });
    url = server.url;
  });
  after(async () => {
    await server?.stop();
  });

  it('prints the address and the root token on stdout', () => {
    const out = server.stdout();
    assert.match(out, new RegExp(`Address:\\s+${url.replaceAll('.', '\\.')}`));
    assert.match(out, new RegExp(`Root Token:\\s+${token}\\b`));
    assert.ok(out.includes(`VAULT_ADDR='${url}'`), out);
    assert.ok(out.includes(`VAULT_TOKEN='${token}'`), out);
  });

  it('write (POST and PUT), read, ?version=N with the JSON Vault returns', async () => {
    const w1 = await curl([
      ...auth(),
      '-X',
      'POST',
      `${url}/v1/secret/data/app/db`,
      '-d',
      '{"data": {"user": "app", "password": "s3cr3t"}}',
    ]);
    assert.equal(w1.status, 200, w1.body);
    assertEnvelope(w1);
    assertVersionMetadata(w1.json.data, 1);
    assert.equal(w1.json.data.deletion_time, '');
    assert.equal(w1.json.data.destroyed, false);

    const r1 = await curl([...auth(), `${url}/v1/secret/data/app/db`]);
    assert.equal(r1.status, 200, r1.body);
    assertEnvelope(r1);
    assert.deepEqual(sorted(r1.json.data), ['data', 'metadata']);
    assert.deepEqual(r1.json.data.data, { user: 'app', password: 's3cr3t' });
    assert.deepEqual(r1.json.data.metadata, w1.json.data);
    assert.notEqual(r1.json.request_id, w1.json.request_id);

    const w2 = await curl([
      ...auth(),
      '-X',
      'PUT',
      `${url}/v1/secret/data/app/db`,
      '-d',
      '{"data": {"user": "app", "password": "v2"}, "options": {"cas": 1}}',
    ]);
    assert.equal(w2.status, 200, w2.body);
    assertVersionMetadata(w2.json.data, 2);

    const latest = await curl([...auth(), `${url}/v1/secret/data/app/db`]);
    assert.deepEqual(latest.json.data.data, { user: 'app', password: 'v2' });
    assert.equal(latest.json.data.metadata.version, 2);
    const v1 = await curl([...auth(), `${url}/v1/secret/data/app/db?version=1`]);
    assert.equal(v1.status, 200, v1.body);
    assert.deepEqual(v1.json.data.data, { user: 'app', password: 's3cr3t' });
    assert.deepEqual(v1.json.data.metadata, w1.json.data);

    // A stale check-and-set is refused with Vault's message.
    const stale = await curl([
      ...auth(),
      '-X',
      'POST',
      `${url}/v1/secret/data/app/db`,
      '-d',
      '{"data": {"x": "y"}, "options": {"cas": 1}}',
    ]);
    assert.equal(stale.status, 400, stale.body);
    assert.deepEqual(Object.keys(stale.json), ['errors']);
    assert.match(stale.json.errors[0], /check-and-set parameter did not match the current version/);
  });

  it('lists with LIST and with GET ?list=true: one level, folders end in /', async () => {
    for (const p of ['app/api', 'app/nested/deep', 'other/x']) {
      const w = await curl([
        ...auth(),
        '-X',
        'POST',
        `${url}/v1/secret/data/${p}`,
        '-d',
        '{"data": {"k": "v"}}',
      ]);
      assert.equal(w.status, 200, w.body);
    }
    const viaList = await curl([...auth(), '-X', 'LIST', `${url}/v1/secret/metadata/app`]);
    assert.equal(viaList.status, 200, viaList.body);
    assertEnvelope(viaList);
    assert.deepEqual(viaList.json.data, { keys: ['api', 'db', 'nested/'] });

    const viaQuery = await curl([...auth(), `${url}/v1/secret/metadata/app?list=true`]);
    assert.equal(viaQuery.status, 200, viaQuery.body);
    assertEnvelope(viaQuery);
    assert.deepEqual(viaQuery.json.data, { keys: ['api', 'db', 'nested/'] });

    const trailing = await curl([...auth(), '-X', 'LIST', `${url}/v1/secret/metadata/app/`]);
    assert.deepEqual(trailing.json.data, { keys: ['api', 'db', 'nested/'] });

    const root = await curl([...auth(), '-X', 'LIST', `${url}/v1/secret/metadata/`]);
    assert.equal(root.status, 200, root.body);
    assert.ok(root.json.data.keys.includes('app/'), root.body);
    assert.ok(root.json.data.keys.includes('other/'), root.body);
    assert.ok(
      root.json.data.keys.every((k: string) => k.endsWith('/')),
      root.body,
    );

    const nested = await curl([...auth(), '-X', 'LIST', `${url}/v1/secret/metadata/app/nested`]);
    assert.deepEqual(nested.json.data, { keys: ['deep'] });

    const empty = await curl([...auth(), '-X', 'LIST', `${url}/v1/secret/metadata/no-such-folder`]);
    assert.equal(empty.status, 404, empty.body);
    assert.deepEqual(empty.json, { errors: [] });
  });

  it('PATCH with application/merge-patch+json makes a merged new version; other types are 415', async () => {
    await curl([
      ...auth(),
      '-X',
      'POST',
      `${url}/v1/secret/data/patchme`,
      '-d',
      '{"data": {"a": "1", "b": "2"}}',
    ]);
    const p = await curl([
      ...auth(),
      '-X',
      'PATCH',
      '-H',
      'Content-Type: application/merge-patch+json',
      `${url}/v1/secret/data/patchme`,
      '-d',
      '{"data": {"b": "two", "c": "3", "a": null}}',
    ]);
    assert.equal(p.status, 200, p.body);
    assertEnvelope(p);
    assertVersionMetadata(p.json.data, 2);
    const r = await curl([...auth(), `${url}/v1/secret/data/patchme`]);
    assert.deepEqual(r.json.data.data, { b: 'two', c: '3' });
    assert.equal(r.json.data.metadata.version, 2);

    const wrongType = await curl([
      ...auth(),
      '-X',
      'PATCH',
      '-H',
      'Content-Type: application/json',
      `${url}/v1/secret/data/patchme`,
      '-d',
      '{"data": {"b": "x"}}',
    ]);
    assert.equal(wrongType.status, 415, wrongType.body);
    assert.equal(wrongType.json.errors.length, 1);

    const missing = await curl([
      ...auth(),
      '-X',
      'PATCH',
      '-H',
      'Content-Type: application/merge-patch+json',
      `${url}/v1/secret/data/never-written`,
      '-d',
      '{"data": {"b": "x"}}',
    ]);
    assert.equal(missing.status, 404, missing.body);
  });

  it('DELETE soft-deletes (204), the version reads as 404 with data null, undelete restores it', async () => {
    const w = await curl([
      ...auth(),
      '-X',
      'POST',
      `${url}/v1/secret/data/lifecycle`,
      '-d',
      '{"data": {"v": "1"}}',
    ]);
    assert.equal(w.status, 200, w.body);
    await curl([...auth(), '-X', 'POST', `${url}/v1/secret/data/lifecycle`, '-d', '{"data": {"v": "2"}}']);

    const del = await curl([...auth(), '-X', 'DELETE', `${url}/v1/secret/data/lifecycle`]);
    assert.equal(del.status, 204, del.body);
    assert.equal(del.body, '');
    assert.equal(del.headers.get('cache-control'), 'no-store');

    const gone = await curl([...auth(), `${url}/v1/secret/data/lifecycle`]);
    assert.equal(gone.status, 404, gone.body);
    assertEnvelope(gone);
    assert.equal(gone.json.data.data, null);
    assertVersionMetadata(gone.json.data.metadata, 2);
    assert.match(gone.json.data.metadata.deletion_time, TIME);
    assert.equal(gone.json.data.metadata.destroyed, false);

    // The older version is untouched.
    const older = await curl([...auth(), `${url}/v1/secret/data/lifecycle?version=1`]);
    assert.equal(older.status, 200, older.body);
    assert.deepEqual(older.json.data.data, { v: '1' });

    const und = await curl([
      ...auth(),
      '-X',
      'POST',
      `${url}/v1/secret/undelete/lifecycle`,
      '-d',
      '{"versions": [2]}',
    ]);
    assert.equal(und.status, 204, und.body);
    assert.equal(und.body, '');
    const back = await curl([...auth(), `${url}/v1/secret/data/lifecycle`]);
    assert.equal(back.status, 200, back.body);
    assert.deepEqual(back.json.data.data, { v: '2' });
    assert.equal(back.json.data.metadata.deletion_time, '');

    // delete/ with explicit versions, too.
    const delV1 = await curl([
      ...auth(),
      '-X',
      'POST',
      `${url}/v1/secret/delete/lifecycle`,
      '-d',
      '{"versions": [1]}',
    ]);
    assert.equal(delV1.status, 204, delV1.body);
    const v1 = await curl([...auth(), `${url}/v1/secret/data/lifecycle?version=1`]);
    assert.equal(v1.status, 404, v1.body);
    assert.equal(v1.json.data.data, null);
    assert.match(v1.json.data.metadata.deletion_time, TIME);
  });

  it('destroy (204) removes a version for good; metadata shows destroyed: true', async () => {
    await curl([...auth(), '-X', 'POST', `${url}/v1/secret/data/burn`, '-d', '{"data": {"v": "1"}}']);
    await curl([...auth(), '-X', 'POST', `${url}/v1/secret/data/burn`, '-d', '{"data": {"v": "2"}}']);
    const d = await curl([
      ...auth(),
      '-X',
      'PUT',
      `${url}/v1/secret/destroy/burn`,
      '-d',
      '{"versions": [1]}',
    ]);
    assert.equal(d.status, 204, d.body);
    assert.equal(d.body, '');

    const v1 = await curl([...auth(), `${url}/v1/secret/data/burn?version=1`]);
    assert.equal(v1.status, 404, v1.body);
    assert.equal(v1.json.data.data, null);
    assert.equal(v1.json.data.metadata.destroyed, true);
    assert.equal(v1.json.data.metadata.version, 1);

    const meta = await curl([...auth(), `${url}/v1/secret/metadata/burn`]);
    assert.equal(meta.status, 200, meta.body);
    assertEnvelope(meta);
    assert.equal(meta.json.data.current_version, 2);
    assert.equal(meta.json.data.versions['1'].destroyed, true);
    assert.equal(meta.json.data.versions['2'].destroyed, false);
    assert.equal(meta.json.data.versions['2'].deletion_time, '');

    // Undelete cannot bring a destroyed version back.
    await curl([...auth(), '-X', 'POST', `${url}/v1/secret/undelete/burn`, '-d', '{"versions": [1]}']);
    const still = await curl([...auth(), `${url}/v1/secret/data/burn?version=1`]);
    assert.equal(still.status, 404, still.body);
    assert.equal(still.json.data.metadata.destroyed, true);

    const latest = await curl([...auth(), `${url}/v1/secret/data/burn`]);
    assert.equal(latest.status, 200, latest.body);
    assert.deepEqual(latest.json.data.data, { v: '2' });
  });

  it('a missing secret is 404 {"errors":[]}', async () => {
    const r = await curl([...auth(), `${url}/v1/secret/data/does/not/exist`]);
    assert.equal(r.status, 404, r.body);
    assert.deepEqual(r.json, { errors: [] });
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const unknownVersion = await curl([...auth(), `${url}/v1/secret/data/app/db?version=99`]);
    assert.equal(unknownVersion.status, 404, unknownVersion.body);
  });

  it('no token and a wrong token are 403; Authorization: Bearer works', async () => {
    const none = await curl([`${url}/v1/secret/data/app/db`]);
    assert.equal(none.status, 403, none.body);
    assert.deepEqual(Object.keys(none.json), ['errors']);
    assert.equal(none.json.errors.length, 1);
    assert.match(none.json.errors[0], /permission denied/);
    assert.equal(none.headers.get('cache-control'), 'no-store');

    const wrong = await curl(['-H', 'X-Vault-Token: hvs.not-a-token', `${url}/v1/secret/data/app/db`]);
    assert.equal(wrong.status, 403, wrong.body);
    assert.deepEqual(wrong.json, none.json);

    // Same answer for a path that does not exist: no existence leak without a token.
    const wrongMissing = await curl(['-H', 'X-Vault-Token: hvs.not-a-token', `${url}/v1/secret/data/nope`]);
    assert.equal(wrongMissing.status, 403, wrongMissing.body);

    const writeNoToken = await curl(['-X', 'POST', `${url}/v1/secret/data/x`, '-d', '{"data":{"a":"b"}}']);
    assert.equal(writeNoToken.status, 403, writeNoToken.body);

    const bearer = await curl(['-H', `Authorization: Bearer ${token}`, `${url}/v1/secret/data/app/db`]);
    assert.equal(bearer.status, 200, bearer.body);
    assertEnvelope(bearer);
    assert.equal(bearer.json.data.data.user, 'app');

    const bearerWrong = await curl(['-H', 'Authorization: Bearer nope', `${url}/v1/secret/data/app/db`]);
    assert.equal(bearerWrong.status, 403, bearerWrong.body);
  });

  // Vault fills `mount_type` with the type of the mount that served the request.
  it('the envelope names the mount type, as Vault does ("kv", "system")', async () => {
    const r = await curl([...auth(), `${url}/v1/secret/data/app/db`]);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.mount_type, 'kv', `mount_type in ${r.body}`);
    const l = await curl([...auth(), '-X', 'LIST', `${url}/v1/secret/metadata/app`]);
    assert.equal(l.json.mount_type, 'kv', `mount_type in ${l.body}`);
    const m = await curl([...auth(), `${url}/v1/sys/mounts`]);
    assert.equal(m.status, 200, m.body);
    assert.equal(m.json.mount_type, 'system', `mount_type in ${m.body}`);
  });

  it('LIST works on a kept-alive connection, between other requests', async () => {
    // One curl run, one connection: LIST, LIST, then a GET on the same connection (--next).
    const { stdout } = await execFileP('curl', [
      '-s',
      '-S',
      '--max-time',
      '10',
      ...auth(),
      '-X',
      'LIST',
      '-w',
      '%{http_code} %{num_connects}\\n',
      '-o',
      '/dev/null',
      '-o',
      '/dev/null',
      `${url}/v1/secret/metadata/app`,
      `${url}/v1/secret/metadata/`,
      '--next',
      '-s',
      ...auth(),
      '-w',
      '%{http_code} %{num_connects}\\n',
      '-o',
      '/dev/null',
      `${url}/v1/secret/data/app/db`,
    ]);
    // Each line: status and how many new connections that transfer opened (0 = reused).
    assert.deepEqual(stdout.trim().split('\n'), ['200 1', '200 0', '200 0']);
  });

  it('the CLI works against the dev server: kv put/get/list, status, secrets list', async () => {
    const put = await runCli(['kv', 'put', 'secret/cli', 'a=1'], env());
    assert.equal(put.code, 0, put.stderr);

    const get = await runCli(['kv', 'get', '-format=json', 'secret/cli'], env());
    assert.equal(get.code, 0, get.stderr);
    const got = JSON.parse(get.stdout);
    assert.deepEqual(got.data.data, { a: '1' });
    assert.equal(got.data.metadata.version, 1);

    // What the CLI wrote is what curl reads.
    const viaCurl = await curl([...auth(), `${url}/v1/secret/data/cli`]);
    assert.deepEqual(viaCurl.json.data.data, { a: '1' });

    const list = await runCli(['kv', 'list', 'secret/'], env());
    assert.equal(list.code, 0, list.stderr);
    for (const k of ['app/', 'cli', 'other/']) assert.ok(list.stdout.split('\n').includes(k), list.stdout);

    const listJson = await runCli(['kv', 'list', '-format=json', 'secret/'], env());
    assert.equal(listJson.code, 0, listJson.stderr);
    const keys: string[] = JSON.parse(listJson.stdout);
    assert.ok(keys.includes('cli') && keys.includes('app/'), listJson.stdout);

    const status = await runCli(['status'], env());
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Sealed\s+false/);

    const mounts = await runCli(['secrets', 'list'], env());
    assert.equal(mounts.code, 0, mounts.stderr);
    assert.match(mounts.stdout, /^secret\/\s+kv\b/m);
    assert.match(mounts.stdout, /^sys\/\s+system\b/m);

    const mountsJson = await runCli(['secrets', 'list', '-format=json'], env());
    assert.equal(mountsJson.code, 0, mountsJson.stderr);
    const table = JSON.parse(mountsJson.stdout);
    assert.equal(table['secret/'].type, 'kv');
    assert.equal(table['secret/'].options.version, '2');

    const noToken = await runCli(['kv', 'get', 'secret/cli'], {
      VAULT_ADDR: url,
      COFFER_ADDR: url,
      VAULT_TOKEN: '',
      COFFER_TOKEN: '',
    });
    // An error status from the server is a remote error: exit 2, as Vault's CLI.
    assert.equal(noToken.code, 2, `${noToken.stdout}${noToken.stderr}`);
    assert.match(noToken.stderr, /permission denied/);
  });
});
