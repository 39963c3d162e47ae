import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { envelope, type RecordingServer, runCli, startRecordingServer } from '../testing/run-cli.ts';

let srv: RecordingServer;
before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => srv.reset());

describe('secrets enable', () => {
  test('kv-v2 means kv with version 2, at kv-v2/ by default', async () => {
    srv.on('POST /v1/sys/mounts/kv-v2', { status: 204 });
    const r = await runCli(srv, ['secrets', 'enable', 'kv-v2']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Enabled the kv-v2 secrets engine at: kv-v2/\n');
    assert.deepEqual(srv.seen[0]!.body, {
      type: 'kv',
      description: '',
      config: {},
      options: { version: '2' },
    });
  });

  test('-path, -version, -description, TTLs, -options', async () => {
    srv.on('POST /v1/sys/mounts/team/secret', { status: 204 });
    const r = await runCli(srv, [
      'secrets',
      'enable',
      '-path=team/secret',
      '-version=2',
      '-description=Team secrets',
      '-default-lease-ttl=1h',
      '-max-lease-ttl=24h',
      '-options=foo=bar',
      'kv',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Enabled the kv secrets engine at: team/secret/\n');
    assert.deepEqual(srv.seen[0]!.body, {
      type: 'kv',
      description: 'Team secrets',
      config: { default_lease_ttl: '1h', max_lease_ttl: '24h' },
      options: { foo: 'bar', version: '2' },
    });
  });

  test('path in use: exit 2; no type: exit 1', async () => {
    srv.on('POST /v1/sys/mounts/kv', { status: 400, body: { errors: ['path is already in use at kv/'] } });
    const r = await runCli(srv, ['secrets', 'enable', 'kv']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error enabling: [\s\S]*already in use/);
    assert.equal((await runCli(srv, ['secrets', 'enable'])).code, 1);
  });
});

describe('secrets disable and tune', () => {
  test('disable', async () => {
    srv.on('DELETE /v1/sys/mounts/team/secret', { status: 204 });
    const r = await runCli(srv, ['secrets', 'disable', 'team/secret']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Disabled the secrets engine (if it existed) at: team/secret/\n');
  });

  test('tune sends only the flags given', async () => {
    srv.on('POST /v1/sys/mounts/secret/tune', { status: 204 });
    const r = await runCli(srv, ['secrets', 'tune', '-max-lease-ttl=2h', '-description=', 'secret/']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Tuned the secrets engine at: secret/\n');
    assert.deepEqual(srv.seen[0]!.body, { max_lease_ttl: '2h', description: '' });
  });
});

describe('secrets list', () => {
  const mounts = {
    'sys/': {
      type: 'system',
      description: 'system endpoints used for control, policy and debugging',
      accessor: 'system_1',
      uuid: 'u-sys',
      config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
      options: null,
      local: false,
      seal_wrap: true,
      external_entropy_access: false,
    },
    'secret/': {
      type: 'kv',
      description: '',
      accessor: 'kv_2',
      uuid: 'u-kv',
      config: { default_lease_ttl: 3600, max_lease_ttl: 0, force_no_cache: false },
      options: { version: '2' },
      local: false,
      seal_wrap: false,
      external_entropy_access: false,
    },
  };

  test('table sorted by path', async () => {
    srv.on('GET /v1/sys/mounts', { status: 200, body: { ...envelope(mounts), ...mounts } });
    const r = await runCli(srv, ['secrets', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `Path       Type      Accessor    Description
----       ----      --------    -----------
secret/    kv        kv_2        n/a
sys/       system    system_1    system endpoints used for control, policy and debugging
`,
    );
  });

  test('-detailed shows TTLs, options and replication', async () => {
    srv.on('GET /v1/sys/mounts', { status: 200, body: envelope(mounts) });
    const r = await runCli(srv, ['secrets', 'list', '-detailed']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^Path +Plugin +Accessor +Default TTL +Max TTL +Force No Cache +Replication/);
    assert.match(
      lines[2]!,
      /^secret\/ +kv +kv_2 +1h +system +false +replicated +false +false +map\[version:2\] +n\/a +u-kv/,
    );
  });

  test('-format=json prints the mount table', async () => {
    srv.on('GET /v1/sys/mounts', { status: 200, body: envelope(mounts) });
    const r = await runCli(srv, ['secrets', 'list', '-format=json']);
    assert.deepEqual(JSON.parse(r.stdout), mounts);
  });
});
