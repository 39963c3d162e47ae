import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  envelope,
  kvMountRoute,
  type RecordingServer,
  runCli,
  startRecordingServer,
} from '../testing/run-cli.ts';

let srv: RecordingServer;
const dir = mkdtempSync(join(tmpdir(), 'coffer-kv-cli-'));
before(async () => {
  srv = await startRecordingServer();
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  srv.reset();
  kvMountRoute(srv, 'secret/', 2);
  kvMountRoute(srv, 'old/', 1);
});

const versionMeta = {
  created_time: '2024-01-01T00:00:00Z',
  custom_metadata: null,
  deletion_time: '',
  destroyed: false,
  version: 1,
};

/** The requests after the mount lookup. */
function calls() {
  return srv.seen.filter((s) => !s.path.startsWith('/v1/sys/internal/ui/mounts/'));
}

describe('kv put', () => {
  test('v2: wraps data, prints path and version metadata', async () => {
    srv.on('POST /v1/secret/data/creds', { status: 200, body: envelope(versionMeta) });
    const r = await runCli(srv, ['kv', 'put', 'secret/creds', 'passcode=my-long-passcode', 'user=me']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(calls()[0]!.body, { data: { passcode: 'my-long-passcode', user: 'me' } });
    assert.equal(
      r.stdout,
      `== Secret Path ==
secret/data/creds

======= Metadata =======
Key                Value
---                -----
created_time       2024-01-01T00:00:00Z
custom_metadata    <nil>
deletion_time      n/a
destroyed          false
version            1
`,
    );
  });

  test('v2: -cas, -mount, flags after the path, @file and stdin values', async () => {
    const file = join(dir, 'pw.txt');
    writeFileSync(file, 'from-file');
    srv.on('POST /v1/secret/data/app/db', { status: 200, body: envelope(versionMeta) });
    const r = await runCli(
      srv,
      ['kv', 'put', '-mount=secret', 'app/db', `pw=@${file}`, 'token=-', '-cas=0'],
      {
        stdin: 'from-stdin',
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(srv.seen[0]!.path, '/v1/sys/internal/ui/mounts/secret');
    assert.deepEqual(calls()[0]!.body, {
      data: { pw: 'from-file', token: 'from-stdin' },
      options: { cas: 0 },
    });
  });

  test('v2 -format=json prints the API response', async () => {
    srv.on('POST /v1/secret/data/a', { status: 200, body: envelope(versionMeta) });
    const r = await runCli(srv, ['kv', 'put', '-format=json', 'secret/a', 'k=v']);
    assert.equal(JSON.parse(r.stdout).data.version, 1);
  });

  test('v1: plain write, "Success!"', async () => {
    srv.on('POST /v1/old/a', { status: 204 });
    const r = await runCli(srv, ['kv', 'put', 'old/a', 'k=v']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(calls()[0]!.body, { k: 'v' });
    assert.equal(r.stdout, 'Success! Data written to: old/a\n');
  });

  test('a server without the mounts endpoint is treated as v1', async () => {
    srv.on('POST /v1/legacy/a', { status: 204 });
    const r = await runCli(srv, ['kv', 'put', 'legacy/a', 'k=v']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Data written to: legacy/a\n');
  });

  test('no data (a usage error) and a bad pair: exit 1', async () => {
    assert.equal((await runCli(srv, ['kv', 'put', 'secret/a'])).code, 1);
    const bad = await runCli(srv, ['kv', 'put', 'secret/a', 'novalue']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Failed to parse K=V data: invalid key\/value pair "novalue"/);
    assert.equal(calls().length, 0);
  });

  test('cas mismatch: exit 2 with the server error', async () => {
    srv.on('POST /v1/secret/data/a', {
      status: 400,
      body: { errors: ['check-and-set parameter did not match the current version'] },
    });
    const r = await runCli(srv, ['kv', 'put', '-cas=3', 'secret/a', 'k=v']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error writing data to secret\/data\/a: [\s\S]*check-and-set/);
  });
});

describe('kv get', () => {
  const body = envelope({ data: { passcode: 'my-long-passcode' }, metadata: versionMeta });

  test('v2: path, metadata and data sections', async () => {
    srv.on('GET /v1/secret/data/creds', { status: 200, body });
    const r = await runCli(srv, ['kv', 'get', 'secret/creds']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `== Secret Path ==
secret/data/creds

======= Metadata =======
Key                Value
---                -----
created_time       2024-01-01T00:00:00Z
custom_metadata    <nil>
deletion_time      n/a
destroyed          false
version            1

====== Data ======
Key         Value
---         -----
passcode    my-long-passcode
`,
    );
  });

  test('-version (after the path too) and -field without a newline', async () => {
    srv.on('GET /v1/secret/data/creds', { status: 200, body });
    const r = await runCli(srv, ['kv', 'get', 'secret/creds', '-version=1', '-field=passcode']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'my-long-passcode');
    assert.deepEqual(calls()[0]!.query, { version: '1' });
    const tty = await runCli(srv, ['kv', 'get', '-field=passcode', 'secret/creds'], { stdoutIsTTY: true });
    assert.equal(tty.stdout, 'my-long-passcode\n');
  });

  test('-field missing: exit 1', async () => {
    srv.on('GET /v1/secret/data/creds', { status: 200, body });
    const r = await runCli(srv, ['kv', 'get', '-field=nope', 'secret/creds']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Field "nope" not present in secret/);
  });

  test('-format=json prints the whole response', async () => {
    srv.on('GET /v1/secret/data/creds', { status: 200, body });
    const r = await runCli(srv, ['kv', 'get', '-format=json', 'secret/creds']);
    assert.deepEqual(JSON.parse(r.stdout), body);
  });

  test('not found: exit 2', async () => {
    const r = await runCli(srv, ['kv', 'get', 'secret/none']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'No value found at secret/data/none\n');
  });

  test('v1: data section only, with the lease refresh hidden', async () => {
    srv.on('GET /v1/old/a', { status: 200, body: envelope({ k: 'v' }, { lease_duration: 2764800 }) });
    const r = await runCli(srv, ['kv', 'get', 'old/a']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '=== Data ===\nKey    Value\n---    -----\nk      v\n');
  });

  test('permission denied: exit 2', async () => {
    srv.on('GET /v1/secret/data/x', { status: 403, body: { errors: ['permission denied'] } });
    const r = await runCli(srv, ['kv', 'get', 'secret/x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error reading secret\/data\/x: Error making API request\./);
  });
});

describe('kv patch', () => {
  test('merge-patch with -remove and -cas', async () => {
    srv.on('PATCH /v1/secret/data/a', { status: 200, body: envelope({ ...versionMeta, version: 2 }) });
    const r = await runCli(srv, ['kv', 'patch', '-cas=1', '-remove=old', 'secret/a', 'k=v']);
    assert.equal(r.code, 0, r.stderr);
    const call = calls()[0]!;
    assert.equal(call.headers['content-type'], 'application/merge-patch+json');
    assert.deepEqual(call.body, { data: { k: 'v', old: null }, options: { cas: 1 } });
    assert.match(r.stdout, /version {12}2/);
  });

  test('v1: exit 2', async () => {
    const r = await runCli(srv, ['kv', 'patch', 'old/a', 'k=v']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /must be version 2 for patch support/);
  });
});

describe('kv list', () => {
  test('v2 lists metadata/', async () => {
    srv.on('GET /v1/secret/metadata/app/', { status: 200, body: envelope({ keys: ['db', 'web/'] }) });
    const r = await runCli(srv, ['kv', 'list', 'secret/app']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Keys\n----\ndb\nweb/\n');
    const j = await runCli(srv, ['kv', 'list', '-format=json', 'secret/app/']);
    assert.deepEqual(JSON.parse(j.stdout), ['db', 'web/']);
  });

  test('-mount alone lists the root', async () => {
    srv.on('GET /v1/secret/metadata/', { status: 200, body: envelope({ keys: ['app/'] }) });
    const r = await runCli(srv, ['kv', 'list', '-mount=secret']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Keys\n----\napp/\n');
  });

  test('v1 lists the path; nothing there is exit 2', async () => {
    srv.on('GET /v1/old/', { status: 200, body: envelope({ keys: ['a'] }) });
    assert.equal((await runCli(srv, ['kv', 'list', 'old/'])).stdout, 'Keys\n----\na\n');
    const r = await runCli(srv, ['kv', 'list', 'old/none']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'No value found at old/none\n');
  });
});

describe('kv delete, undelete, destroy', () => {
  test('delete the latest version', async () => {
    srv.on('DELETE /v1/secret/data/a', { status: 204 });
    const r = await runCli(srv, ['kv', 'delete', 'secret/a']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Data deleted (if it existed) at: secret/data/a\n');
  });

  test('delete versions', async () => {
    srv.on('POST /v1/secret/delete/a', { status: 204 });
    const r = await runCli(srv, ['kv', 'delete', '-versions=1,2', 'secret/a', '-versions', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(calls()[0]!.body, { versions: [1, 2, 3] });
  });

  test('delete on v1', async () => {
    srv.on('DELETE /v1/old/a', { status: 204 });
    const r = await runCli(srv, ['kv', 'delete', 'old/a']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Data deleted (if it existed) at: old/a\n');
  });

  test('undelete and destroy', async () => {
    srv.on('POST /v1/secret/undelete/a', { status: 204 });
    srv.on('POST /v1/secret/destroy/a', { status: 204 });
    const u = await runCli(srv, ['kv', 'undelete', '-versions=2', 'secret/a']);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(u.stdout, 'Success! Data written to: secret/undelete/a\n');
    const d = await runCli(srv, ['kv', 'destroy', '-versions=1,2', 'secret/a']);
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual(
      calls().map((c) => [c.path, c.body]),
      [
        ['/v1/secret/undelete/a', { versions: [2] }],
        ['/v1/secret/destroy/a', { versions: [1, 2] }],
      ],
    );
  });

  test('undelete without -versions: exit 1; bad versions: exit 1; v1: exit 1', async () => {
    const none = await runCli(srv, ['kv', 'undelete', 'secret/a']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No versions provided/);
    assert.equal((await runCli(srv, ['kv', 'destroy', '-versions=x', 'secret/a'])).code, 1);
    const v1 = await runCli(srv, ['kv', 'destroy', '-versions=1', 'old/a']);
    assert.equal(v1.code, 1);
    assert.match(v1.stderr, /Destroy not supported on KV Version 1/);
  });
});

describe('kv metadata', () => {
  test('get: metadata and versions sections', async () => {
    srv.on('GET /v1/secret/metadata/a', {
      status: 200,
      body: envelope({
        cas_required: false,
        created_time: '2024-01-01T00:00:00Z',
        current_version: 2,
        custom_metadata: { owner: 'me' },
        delete_version_after: '0s',
        max_versions: 0,
        oldest_version: 0,
        updated_time: '2024-01-02T00:00:00Z',
        versions: {
          '1': { created_time: '2024-01-01T00:00:00Z', deletion_time: '', destroyed: true },
          '2': { created_time: '2024-01-02T00:00:00Z', deletion_time: '', destroyed: false },
        },
      }),
    });
    const r = await runCli(srv, ['kv', 'metadata', 'get', 'secret/a']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `= Metadata Path =
secret/metadata/a

========== Metadata ==========
Key                     Value
---                     -----
cas_required            false
created_time            2024-01-01T00:00:00Z
current_version         2
custom_metadata         map[owner:me]
delete_version_after    0s
max_versions            0
oldest_version          0
updated_time            2024-01-02T00:00:00Z

====== Version 1 ======
Key              Value
---              -----
created_time     2024-01-01T00:00:00Z
deletion_time    n/a
destroyed        true

====== Version 2 ======
Key              Value
---              -----
created_time     2024-01-02T00:00:00Z
deletion_time    n/a
destroyed        false
`,
    );
  });

  test('get: not found is exit 2; v1 is exit 1', async () => {
    assert.equal((await runCli(srv, ['kv', 'metadata', 'get', 'secret/none'])).code, 2);
    assert.equal((await runCli(srv, ['kv', 'metadata', 'get', 'old/a'])).code, 1);
  });

  test('put sends only the flags given', async () => {
    srv.on('POST /v1/secret/metadata/a', { status: 204 });
    const r = await runCli(srv, [
      'kv',
      'metadata',
      'put',
      '-max-versions=5',
      '-cas-required',
      '-delete-version-after=3h',
      '-custom-metadata=owner=me',
      '-custom-metadata',
      'team=ops',
      'secret/a',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Data written to: secret/metadata/a\n');
    assert.deepEqual(calls()[0]!.body, {
      max_versions: 5,
      cas_required: true,
      delete_version_after: '3h',
      custom_metadata: { owner: 'me', team: 'ops' },
    });
    await runCli(srv, ['kv', 'metadata', 'put', '-cas-required=false', 'secret/a']);
    assert.deepEqual(calls()[1]!.body, { cas_required: false });
  });

  test('put: malformed -custom-metadata is a usage error, exit 1', async () => {
    const r = await runCli(srv, ['kv', 'metadata', 'put', '-custom-metadata=oops', 'secret/a']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /format must be key=value/);
  });

  test('delete', async () => {
    srv.on('DELETE /v1/secret/metadata/a', { status: 204 });
    const r = await runCli(srv, ['kv', 'metadata', 'delete', 'secret/a']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Data deleted (if it existed) at: secret/metadata/a\n');
  });
});
