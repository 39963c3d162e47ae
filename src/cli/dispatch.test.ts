import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type RecordingServer, runCli, startRecordingServer } from './testing/run-cli.ts';

let srv: RecordingServer;
const sealed = {
  type: 'shamir',
  initialized: true,
  sealed: false,
  t: 1,
  n: 1,
  progress: 0,
  nonce: '',
  version: '0.1.0',
};

before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => {
  srv.reset();
  srv.on('GET /v1/sys/seal-status', { status: 200, body: sealed });
});

describe('dispatch', () => {
  test('no arguments: usage on stderr, exit 1', async () => {
    const r = await runCli(undefined, []);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Usage: coffer <command> \[args\]/);
    assert.equal(r.stdout, '');
  });

  for (const flag of ['-h', '--help', 'help']) {
    test(`${flag}: usage on stdout, exit 0`, async () => {
      const r = await runCli(undefined, [flag]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Common commands:\n {4}read/);
      assert.match(r.stdout, /server {6}Start a Coffer server/);
    });
  }

  test('version and -version', async () => {
    for (const argv of [['version'], ['-version'], ['--version']]) {
      const r = await runCli(undefined, argv);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Coffer v\d+\.\d+\.\d+\n$/);
    }
  });

  test('unknown command: exit 1', async () => {
    const r = await runCli(undefined, ['frobnicate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unknown command: frobnicate/);
  });

  test('a group alone prints its subcommands, exit 1; with -h exit 0', async () => {
    const bare = await runCli(undefined, ['kv']);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /Subcommands:[\s\S]*put {9}Sets or updates data/);
    const unknown = await runCli(undefined, ['operator', 'frob']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown command: operator frob/);
    const helped = await runCli(undefined, ['kv', 'metadata', '-h']);
    assert.equal(helped.code, 0);
    assert.match(helped.stdout, /Usage: coffer kv metadata <subcommand>/);
  });

  test('command help: -h and "help CMD" print usage and flags, exit 0', async () => {
    for (const argv of [
      ['kv', 'put', '-h'],
      ['help', 'kv', 'put'],
      ['kv', 'put', '--help'],
    ]) {
      const r = await runCli(undefined, argv);
      assert.equal(r.code, 0, argv.join(' '));
      assert.match(r.stdout, /^Usage: coffer kv put \[options\] KEY \[DATA\]/);
      assert.match(r.stdout, /Command Options:\n\n {2}-cas=<int>/);
      assert.match(r.stdout, /HTTP Options:[\s\S]*-address=<string>/);
      assert.match(r.stdout, /Output Options:[\s\S]*-format=<string>/);
    }
  });

  test('unknown flag: message and usage on stderr, exit 1', async () => {
    const r = await runCli(srv, ['status', '-bogus']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^flag provided but not defined: -bogus\n\nUsage: coffer status/);
    assert.equal(srv.seen.length, 0);
  });

  test('wrong argument count: exit 1', async () => {
    const few = await runCli(srv, ['read']);
    assert.equal(few.code, 1);
    assert.match(few.stderr, /Not enough arguments \(expected 1, got 0\)/);
    const many = await runCli(srv, ['status', 'extra']);
    assert.equal(many.code, 1);
    assert.match(many.stderr, /Too many arguments \(expected 0, got 1\)/);
  });

  test('invalid -format: exit 1', async () => {
    const r = await runCli(srv, ['status', '-format=yaml']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Invalid output format: yaml/);
  });
});

describe('global configuration', () => {
  test('-address beats COFFER_ADDR; token from COFFER_TOKEN', async () => {
    const r = await runCli(undefined, ['status', `-address=${srv.address}`], {
      env: { COFFER_ADDR: 'http://127.0.0.1:1', COFFER_TOKEN: 'tok-1' },
    });
    assert.equal(r.code, 0);
    assert.equal(srv.seen[0]!.headers['x-vault-token'], 'tok-1');
  });

  test('VAULT_ADDR and VAULT_TOKEN are the fallbacks', async () => {
    const r = await runCli(undefined, ['status'], {
      env: { VAULT_ADDR: srv.address, VAULT_TOKEN: 'vault-tok' },
    });
    assert.equal(r.code, 0);
    assert.equal(srv.seen[0]!.headers['x-vault-token'], 'vault-tok');
  });

  test('COFFER_* wins over VAULT_*', async () => {
    const r = await runCli(undefined, ['status'], {
      env: {
        COFFER_ADDR: srv.address,
        VAULT_ADDR: 'http://127.0.0.1:1',
        COFFER_TOKEN: 'c',
        VAULT_TOKEN: 'v',
      },
    });
    assert.equal(r.code, 0);
    assert.equal(srv.seen[0]!.headers['x-vault-token'], 'c');
  });

  test('the token file is used when no token variable is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-cli-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, 'file-token\n', { mode: 0o600 });
      const r = await runCli(undefined, ['status'], {
        env: { COFFER_ADDR: srv.address, COFFER_TOKEN_FILE: file },
      });
      assert.equal(r.code, 0);
      assert.equal(srv.seen[0]!.headers['x-vault-token'], 'file-token');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('-namespace sends the namespace header; COFFER_FORMAT selects json', async () => {
    const r = await runCli(srv, ['status', '-namespace=team'], { env: { COFFER_FORMAT: 'json' } });
    assert.equal(r.code, 0);
    assert.equal(srv.seen[0]!.headers['x-vault-namespace'], 'team');
    assert.deepEqual(JSON.parse(r.stdout), sealed);
  });

  test('status: an unreachable server is exit 1 with the reason (2 means sealed)', async () => {
    const dead = await startRecordingServer();
    await dead.close();
    const r = await runCli(dead, ['status']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Error checking seal status: GET http:\/\/127\.0\.0\.1:\d+\/v1\/sys\/seal-status: .*ECONNREFUSED/,
    );
  });

  test('a malformed address is exit 1', async () => {
    const r = await runCli(undefined, ['status', '-address=not a url']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error checking seal status: invalid server address "not a url"/);
  });
});
