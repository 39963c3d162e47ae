import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { envelope, type RecordingServer, runCli, startRecordingServer } from '../testing/run-cli.ts';

let srv: RecordingServer;
before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => srv.reset());

describe('auth enable, disable, tune', () => {
  test('enable at the type by default, or -path with description and TTLs', async () => {
    srv.on('POST /v1/sys/auth/*', { status: 204 });
    const plain = await runCli(srv, ['auth', 'enable', 'userpass']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, 'Success! Enabled userpass auth method at: userpass/\n');
    const custom = await runCli(srv, [
      'auth',
      'enable',
      '-path=machines',
      '-description=CI machines',
      '-default-lease-ttl=1h',
      '-max-lease-ttl=4h',
      'approle',
    ]);
    assert.equal(custom.stdout, 'Success! Enabled approle auth method at: machines/\n');
    assert.deepEqual(
      srv.seen.map((s) => [s.path, s.body]),
      [
        ['/v1/sys/auth/userpass', { type: 'userpass', description: '', config: {} }],
        [
          '/v1/sys/auth/machines',
          {
            type: 'approle',
            description: 'CI machines',
            config: { default_lease_ttl: '1h', max_lease_ttl: '4h' },
          },
        ],
      ],
    );
  });

  test('enable: in use exits 2, no type exits 1', async () => {
    srv.on('POST /v1/sys/auth/userpass', {
      status: 400,
      body: { errors: ['path is already in use at userpass/'] },
    });
    const r = await runCli(srv, ['auth', 'enable', 'userpass']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error enabling: [\s\S]*already in use/);
    assert.equal((await runCli(srv, ['auth', 'enable'])).code, 1);
  });

  test('disable and tune', async () => {
    srv.on('DELETE /v1/sys/auth/userpass', { status: 204 });
    srv.on('POST /v1/sys/auth/userpass/tune', { status: 204 });
    const off = await runCli(srv, ['auth', 'disable', 'userpass']);
    assert.equal(off.stdout, 'Success! Disabled the auth method (if it existed) at: userpass/\n');
    const tuned = await runCli(srv, [
      'auth',
      'tune',
      '-default-lease-ttl=72h',
      '-token-type=batch',
      '-description=people',
      'userpass/',
    ]);
    assert.equal(tuned.code, 0, tuned.stderr);
    assert.equal(tuned.stdout, 'Success! Tuned the auth method at: userpass/\n');
    assert.deepEqual(srv.seen[1]!.body, {
      default_lease_ttl: '72h',
      description: 'people',
      token_type: 'batch',
    });
    assert.equal((await runCli(srv, ['auth', 'tune'])).code, 1);
  });
});

describe('auth list', () => {
  const mounts = {
    'token/': {
      type: 'token',
      description: 'token based credentials',
      accessor: 'auth_token_1',
      config: { default_lease_ttl: 0, max_lease_ttl: 0, token_type: 'default-service' },
      options: null,
      local: false,
      seal_wrap: false,
      external_entropy_access: false,
      uuid: 'u1',
    },
    'userpass/': {
      type: 'userpass',
      description: '',
      accessor: 'auth_userpass_2',
      config: { default_lease_ttl: 3600, max_lease_ttl: 0 },
      options: {},
      local: true,
      seal_wrap: false,
      external_entropy_access: false,
      uuid: 'u2',
      plugin_version: 'v1.0.0',
    },
  };

  test('table, -detailed and JSON', async () => {
    srv.on('GET /v1/sys/auth', { status: 200, body: { ...mounts, ...envelope(mounts) } });
    const r = await runCli(srv, ['auth', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `Path         Type        Accessor           Description                Version
----         ----        --------           -----------                -------
token/       token       auth_token_1       token based credentials    n/a
userpass/    userpass    auth_userpass_2    n/a                        v1.0.0
`,
    );
    const detailed = await runCli(srv, ['auth', 'list', '-detailed']);
    const lines = detailed.stdout.split('\n');
    assert.match(lines[0]!, /^Path\s+Plugin\s+Accessor\s+Default TTL\s+Max TTL\s+Token Type\s+Replication/);
    assert.match(
      lines[2]!,
      /^token\/\s+token\s+auth_token_1\s+system\s+system\s+default-service\s+replicated/,
    );
    assert.match(
      lines[3]!,
      /^userpass\/\s+userpass\s+auth_userpass_2\s+1h\s+system\s+default-service\s+local/,
    );
    const json = await runCli(srv, ['auth', 'list', '-format=json']);
    assert.deepEqual(JSON.parse(json.stdout), mounts);
  });

  test('a server error exits 2', async () => {
    srv.on('GET /v1/sys/auth', { status: 403, body: { errors: ['permission denied'] } });
    const r = await runCli(srv, ['auth', 'list']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error listing enabled authentications: /);
  });
});

describe('audit enable, disable, list', () => {
  test('enable file with options as key=value, -path, -description, -local', async () => {
    srv.on('POST /v1/sys/audit/*', { status: 204 });
    const r = await runCli(srv, ['audit', 'enable', 'file', 'file_path=/var/log/coffer/audit.log']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Enabled the file audit device at: file/\n');
    await runCli(srv, [
      'audit',
      'enable',
      '-path=sock',
      '-description=siem',
      '-local',
      'socket',
      'address=x:9',
      'socket_type=tcp',
    ]);
    assert.deepEqual(
      srv.seen.map((s) => [s.path, s.body]),
      [
        [
          '/v1/sys/audit/file',
          { type: 'file', description: '', options: { file_path: '/var/log/coffer/audit.log' } },
        ],
        [
          '/v1/sys/audit/sock',
          {
            type: 'socket',
            description: 'siem',
            options: { address: 'x:9', socket_type: 'tcp' },
            local: true,
          },
        ],
      ],
    );
  });

  test('enable: a bad option or no type exits 1; a server error exits 2', async () => {
    assert.equal((await runCli(srv, ['audit', 'enable', 'file', 'nokey'])).code, 1);
    assert.equal((await runCli(srv, ['audit', 'enable'])).code, 1);
    assert.equal(srv.seen.length, 0);
    srv.on('POST /v1/sys/audit/file', { status: 400, body: { errors: ['file_path is required'] } });
    const r = await runCli(srv, ['audit', 'enable', 'file']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error enabling audit device: [\s\S]*file_path is required/);
  });

  test('disable', async () => {
    srv.on('DELETE /v1/sys/audit/file', { status: 204 });
    const r = await runCli(srv, ['audit', 'disable', 'file']);
    assert.equal(r.stdout, 'Success! Disabled audit device (if it was enabled) at: file/\n');
  });

  test('list: table, -detailed, JSON; none enabled exits 2', async () => {
    const devices = {
      'file/': {
        type: 'file',
        description: '',
        options: { file_path: '/l', mode: '0600' },
        local: false,
        path: 'file/',
      },
    };
    srv.on('GET /v1/sys/audit', { status: 200, body: { ...devices, ...envelope(devices) } });
    assert.equal(
      (await runCli(srv, ['audit', 'list'])).stdout,
      'Path     Type    Description\n----     ----    -----------\nfile/    file    n/a\n',
    );
    assert.equal(
      (await runCli(srv, ['audit', 'list', '-detailed'])).stdout,
      'Path     Type    Description    Replication    Options\n' +
        '----     ----    -----------    -----------    -------\n' +
        'file/    file    n/a            replicated     file_path=/l mode=0600\n',
    );
    assert.deepEqual(JSON.parse((await runCli(srv, ['audit', 'list', '-format=json'])).stdout), devices);
    srv.on('GET /v1/sys/audit', { status: 200, body: envelope({}) });
    const none = await runCli(srv, ['audit', 'list']);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, 'No audit devices are enabled.\n');
  });
});
