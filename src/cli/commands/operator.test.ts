import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { envelope, type RecordingServer, runCli, startRecordingServer } from '../testing/run-cli.ts';

let srv: RecordingServer;
before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => srv.reset());

const unsealed = {
  type: 'shamir',
  initialized: true,
  sealed: false,
  t: 3,
  n: 5,
  progress: 0,
  nonce: '',
  version: '0.1.0',
  build_date: '2024-01-01T00:00:00Z',
  storage_type: 'sqlite',
  cluster_name: 'coffer-cluster-1',
  cluster_id: 'c-1',
};
const sealed = { ...unsealed, sealed: true, progress: 1, nonce: 'nonce-1' };

describe('status', () => {
  test('unsealed: table, exit 0', async () => {
    srv.on('GET /v1/sys/seal-status', { status: 200, body: unsealed });
    const r = await runCli(srv, ['status']);
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      `Key             Value
---             -----
Seal Type       shamir
Initialized     true
Sealed          false
Total Shares    5
Threshold       3
Version         0.1.0
Build Date      2024-01-01T00:00:00Z
Storage Type    sqlite
Cluster Name    coffer-cluster-1
Cluster ID      c-1
`,
    );
  });

  test('sealed: progress and nonce rows, exit 2', async () => {
    srv.on('GET /v1/sys/seal-status', { status: 200, body: sealed });
    const r = await runCli(srv, ['status']);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /Sealed {13}true\n/);
    assert.match(r.stdout, /Unseal Progress {4}1\/3\nUnseal Nonce {7}nonce-1\n/);
    assert.doesNotMatch(r.stdout, /Cluster Name/);
  });

  test('-format=json prints the seal status as the API returns it', async () => {
    srv.on('GET /v1/sys/seal-status', { status: 200, body: sealed });
    const r = await runCli(srv, ['status', '-format=json']);
    assert.equal(r.code, 2);
    assert.deepEqual(JSON.parse(r.stdout), sealed);
  });

  test('API error: exit 1 (status keeps 2 for sealed)', async () => {
    srv.on('GET /v1/sys/seal-status', { status: 500, body: { errors: ['storage unavailable'] } });
    const r = await runCli(srv, ['status']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Error checking seal status: Error making API request\.[\s\S]*\* storage unavailable/,
    );
  });
});

describe('operator init', () => {
  const initResponse = {
    keys: ['aa01', 'bb02', 'cc03'],
    keys_base64: ['qgE=', 'uwI=', 'zAM='],
    root_token: 'cf.root',
  };

  test('prints the keys and root token; sends shares and threshold', async () => {
    srv.on('POST /v1/sys/init', { status: 200, body: initResponse });
    const r = await runCli(srv, ['operator', 'init', '-key-shares=3', '-key-threshold', '2']);
    assert.equal(r.code, 0);
    assert.deepEqual(srv.seen[0]!.body, { secret_shares: 3, secret_threshold: 2 });
    assert.match(
      r.stdout,
      /^Unseal Key 1: qgE=\nUnseal Key 2: uwI=\nUnseal Key 3: zAM=\n\nInitial Root Token: cf\.root\n/,
    );
    assert.match(r.stdout, /initialized with 3 key shares and a key threshold of 2/);
  });

  test('defaults to 5 shares, threshold 3', async () => {
    srv.on('POST /v1/sys/init', { status: 200, body: initResponse });
    await runCli(srv, ['operator', 'init']);
    assert.deepEqual(srv.seen[0]!.body, { secret_shares: 5, secret_threshold: 3 });
  });

  test("-format=json uses Vault's init JSON shape", async () => {
    srv.on('POST /v1/sys/init', { status: 200, body: initResponse });
    const r = await runCli(srv, ['operator', 'init', '-key-shares=3', '-key-threshold=2', '-format=json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      unseal_keys_b64: ['qgE=', 'uwI=', 'zAM='],
      unseal_keys_hex: ['aa01', 'bb02', 'cc03'],
      unseal_shares: 3,
      unseal_threshold: 2,
      recovery_keys_b64: [],
      recovery_keys_hex: [],
      recovery_keys_shares: 0,
      recovery_keys_threshold: 0,
      root_token: 'cf.root',
    });
  });

  test('already initialized: exit 2', async () => {
    srv.on('POST /v1/sys/init', { status: 400, body: { errors: ['Coffer is already initialized'] } });
    const r = await runCli(srv, ['operator', 'init']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error initializing: [\s\S]*already initialized/);
  });

  test('-status: 0 initialized, 2 not', async () => {
    srv.on('GET /v1/sys/init', { status: 200, body: { initialized: true } });
    assert.equal((await runCli(srv, ['operator', 'init', '-status'])).code, 0);
    srv.on('GET /v1/sys/init', { status: 200, body: { initialized: false } });
    assert.equal((await runCli(srv, ['operator', 'init', '-status'])).code, 2);
  });

  test('a non-integer -key-shares is a usage error, exit 1', async () => {
    const r = await runCli(srv, ['operator', 'init', '-key-shares=five']);
    assert.equal(r.code, 1);
    assert.equal(srv.seen.length, 0);
  });
});

describe('operator unseal', () => {
  test('key as argument: prints the seal status, exit 0', async () => {
    srv.on('POST /v1/sys/unseal', { status: 200, body: sealed });
    const r = await runCli(srv, ['operator', 'unseal', 'qgE=']);
    assert.equal(r.code, 0);
    assert.deepEqual(srv.seen[0]!.body, { key: 'qgE=' });
    assert.match(r.stdout, /Unseal Progress {4}1\/3/);
  });

  test('no argument: prompts and reads the key from stdin', async () => {
    srv.on('POST /v1/sys/unseal', { status: 200, body: unsealed });
    const r = await runCli(srv, ['operator', 'unseal'], { stdin: 'uwI=\nrest\n' });
    assert.equal(r.code, 0);
    assert.deepEqual(srv.seen[0]!.body, { key: 'uwI=' });
    assert.match(r.stderr, /^Unseal Key \(will be hidden\): /);
    assert.doesNotMatch(r.stderr + r.stdout, /uwI=/);
  });

  test('empty key: usage error, exit 1', async () => {
    const r = await runCli(srv, ['operator', 'unseal'], { stdin: '\n' });
    assert.equal(r.code, 1);
    assert.equal(srv.seen.length, 0);
  });

  test('-reset', async () => {
    srv.on('POST /v1/sys/unseal', { status: 200, body: { ...sealed, progress: 0 } });
    const r = await runCli(srv, ['operator', 'unseal', '-reset']);
    assert.equal(r.code, 0);
    assert.deepEqual(srv.seen[0]!.body, { reset: true });
  });

  test('a bad key: exit 2', async () => {
    srv.on('POST /v1/sys/unseal', { status: 400, body: { errors: ['invalid key'] } });
    const r = await runCli(srv, ['operator', 'unseal', 'bad']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error unsealing: /);
  });
});

describe('operator seal, rotate, key-status', () => {
  test('seal', async () => {
    srv.on('POST /v1/sys/seal', { status: 204 });
    const r = await runCli(srv, ['operator', 'seal']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Success! Coffer is sealed.\n');
    assert.equal(srv.seen[0]!.headers['x-vault-token'], 'root-token');
  });

  test('seal denied: exit 2', async () => {
    srv.on('POST /v1/sys/seal', { status: 403, body: { errors: ['permission denied'] } });
    const r = await runCli(srv, ['operator', 'seal']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error sealing: [\s\S]*permission denied/);
  });

  const keyStatus = envelope({ term: 2, install_time: '2024-03-05T07:08:09Z', encryptions: 12 });

  test('key-status', async () => {
    srv.on('GET /v1/sys/key-status', { status: 200, body: keyStatus });
    const r = await runCli(srv, ['operator', 'key-status']);
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      'Key Term            2\nInstall Time        05 Mar 24 07:08 UTC\nEncryption Count    12\n',
    );
    const j = await runCli(srv, ['operator', 'key-status', '-format=json']);
    assert.deepEqual(JSON.parse(j.stdout), {
      term: 2,
      install_time: '2024-03-05T07:08:09Z',
      encryptions: 12,
    });
  });

  test('rotate then shows the new term', async () => {
    srv.on('POST /v1/sys/rotate', { status: 204 });
    srv.on('GET /v1/sys/key-status', { status: 200, body: keyStatus });
    const r = await runCli(srv, ['operator', 'rotate']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Success! Rotated key\n\nKey Term {12}2\n/);
    assert.deepEqual(
      srv.seen.map((s) => `${s.method} ${s.path}`),
      ['POST /v1/sys/rotate', 'GET /v1/sys/key-status'],
    );
  });
});

describe('operator rekey', () => {
  const started = {
    nonce: 'rk-1',
    started: true,
    t: 2,
    n: 3,
    progress: 0,
    required: 3,
    pgp_fingerprints: null,
    backup: false,
    verification_required: false,
  };

  test('-init sends the new shares and prints the status', async () => {
    srv.on('POST /v1/sys/rekey/init', { status: 200, body: started });
    const r = await runCli(srv, ['operator', 'rekey', '-init', '-key-shares=3', '-key-threshold=2']);
    assert.equal(r.code, 0);
    assert.deepEqual(srv.seen[0]!.body, { secret_shares: 3, secret_threshold: 2 });
    assert.equal(
      r.stdout,
      `Key                      Value
---                      -----
Nonce                    rk-1
Started                  true
Rekey Progress           0/3
New Shares               3
New Threshold            2
Verification Required    false
`,
    );
  });

  test('-status and -cancel', async () => {
    srv.on('GET /v1/sys/rekey/init', { status: 200, body: started });
    srv.on('DELETE /v1/sys/rekey/init', { status: 204 });
    const s = await runCli(srv, ['operator', 'rekey', '-status', '-format=json']);
    assert.equal(s.code, 0);
    assert.equal(JSON.parse(s.stdout).nonce, 'rk-1');
    const c = await runCli(srv, ['operator', 'rekey', '-cancel']);
    assert.equal(c.code, 0);
    assert.equal(c.stdout, 'Success! Canceled rekeying (if it was started)\n');
  });

  test('a key with -nonce: progress while incomplete', async () => {
    srv.on('POST /v1/sys/rekey/update', { status: 200, body: { ...started, progress: 1 } });
    const r = await runCli(srv, ['operator', 'rekey', '-nonce=rk-1', 'qgE=']);
    assert.equal(r.code, 0);
    assert.deepEqual(srv.seen[0]!.body, { key: 'qgE=', nonce: 'rk-1' });
    assert.match(r.stdout, /Rekey Progress {11}1\/3/);
  });

  test('the last key prints the new keys; the nonce comes from the status when omitted', async () => {
    srv.on('GET /v1/sys/rekey/init', { status: 200, body: started });
    srv.on('POST /v1/sys/rekey/update', {
      status: 200,
      body: {
        nonce: 'rk-1',
        complete: true,
        keys: ['aa', 'bb', 'cc'],
        keys_base64: ['qg==', 'uw==', 'zA=='],
        t: 2,
        n: 3,
      },
    });
    const r = await runCli(srv, ['operator', 'rekey'], { stdin: 'qgE=\n' });
    assert.equal(r.code, 0);
    assert.deepEqual(srv.seen[1]!.body, { key: 'qgE=', nonce: 'rk-1' });
    assert.match(r.stdout, /^Key 1: qg==\nKey 2: uw==\nKey 3: zA==\n\nOperation nonce: rk-1\n/);
    assert.match(r.stdout, /rekeyed with 3 key shares and a key threshold of 2/);
  });

  test('no rekey in progress: exit 1', async () => {
    srv.on('GET /v1/sys/rekey/init', { status: 200, body: { ...started, started: false, nonce: '' } });
    const r = await runCli(srv, ['operator', 'rekey', 'qgE=']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No rekey is in progress/);
  });

  test('conflicting modes: usage error, exit 1', async () => {
    const r = await runCli(srv, ['operator', 'rekey', '-init', '-cancel']);
    assert.equal(r.code, 1);
    assert.equal(srv.seen.length, 0);
  });
});
