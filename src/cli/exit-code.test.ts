import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CofferApiError, CofferConnectionError, CofferResponseError } from '../client/index.ts';
import { DataArgError } from './data-args.ts';
import { EXIT_LOCAL, EXIT_REMOTE, exitCodeOf } from './exit-code.ts';
import { FlagError } from './flags.ts';
import { type RecordingServer, runCli, startRecordingServer } from './testing/run-cli.ts';

let srv: RecordingServer;
before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => srv.reset());

/** A server that was listening a moment ago: connecting to it is refused. */
async function deadServer(): Promise<RecordingServer> {
  const dead = await startRecordingServer();
  await dead.close();
  return dead;
}

describe("exit codes: 1 for a local error, 2 for a remote one (Vault's rule)", () => {
  test('an unknown flag is 1, and nothing is sent', async () => {
    const r = await runCli(srv, ['read', '-bogus', 'secret/x']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^flag provided but not defined: -bogus\n\nUsage: coffer read/);
    assert.equal(srv.seen.length, 0);
  });

  test('the wrong number of arguments is 1, and nothing is sent', async () => {
    const few = await runCli(srv, ['kv', 'get']);
    assert.equal(few.code, 1, few.stderr);
    assert.match(few.stderr, /^Not enough arguments \(expected 1, got 0\)/);
    const many = await runCli(srv, ['read', 'secret/a', 'secret/b']);
    assert.equal(many.code, 1, many.stderr);
    assert.match(many.stderr, /^Too many arguments \(expected 1, got 2\)/);
    assert.equal(srv.seen.length, 0);
  });

  test('an error status from the server (403) is 2', async () => {
    srv.on('GET /v1/secret/x', { status: 403, body: { errors: ['permission denied'] } });
    const r = await runCli(srv, ['read', 'secret/x']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^Error reading secret\/x: Error making API request\.[\s\S]*Code: 403/);
  });

  test('a refused connection is 2', async () => {
    const r = await runCli(await deadServer(), ['read', 'secret/x']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^Error reading secret\/x: GET http:\/\/127\.0\.0\.1:\d+\/v1\/secret\/x: .*ECONNREFUSED/,
    );
  });

  test('a client that cannot be set up (address, CA file) is 2, as Vault when it cannot build its client', async () => {
    for (const [flag, message] of [
      ['-address=notaurl', /^Error reading secret\/x: invalid server address "notaurl"/],
      ['-ca-cert=/nonexistent/ca.pem', /^Error reading secret\/x: ENOENT: no such file or directory/],
    ] as const) {
      const r = await runCli(srv, ['read', flag, 'secret/x']);
      assert.equal(r.code, 2, `${flag}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(srv.seen.length, 0);
  });

  test('a success answer without what the call needs is 2', async () => {
    srv.on('POST /v1/auth/userpass/login/bob', { status: 200, body: { auth: null } });
    const r = await runCli(srv, ['login', '-method=userpass', '-no-store', 'username=bob', 'password=pw']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^Error authenticating: no authentication information returned/);
  });

  test('the kind of error decides', () => {
    const api = new CofferApiError({ status: 500, errors: ['boom'], method: 'GET', url: 'http://x/v1/a' });
    const connection = new CofferConnectionError({
      method: 'GET',
      url: 'http://x/v1/a',
      cause: new Error('x'),
    });
    assert.equal(exitCodeOf(api), EXIT_REMOTE);
    assert.equal(exitCodeOf(connection), EXIT_REMOTE);
    assert.equal(exitCodeOf(new CofferResponseError('no wrapping information returned')), EXIT_REMOTE);
    assert.equal(exitCodeOf(new FlagError('bad flag')), EXIT_LOCAL);
    assert.equal(exitCodeOf(new DataArgError('bad pair')), EXIT_LOCAL);
    assert.equal(exitCodeOf(Object.assign(new Error('ENOENT'), { code: 'ENOENT' })), EXIT_LOCAL);
    assert.equal(exitCodeOf('a string'), EXIT_LOCAL);
  });
});

describe('commands whose codes Vault documents differently keep them', () => {
  test('status: 1 when the server cannot be reached, since 2 means sealed', async () => {
    const r = await runCli(await deadServer(), ['status']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^Error checking seal status: .*ECONNREFUSED/);
  });

  test('operator init -status: 1 on an error, since 2 means not initialized', async () => {
    srv.on('GET /v1/sys/init', { status: 500, body: { errors: ['storage unavailable'] } });
    const r = await runCli(srv, ['operator', 'init', '-status']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^Error checking init status: [\s\S]*storage unavailable/);
    const down = await runCli(await deadServer(), ['operator', 'init', '-status']);
    assert.equal(down.code, 1, down.stderr);
  });

  test('no value at a path is 2', async () => {
    srv.on('GET /v1/secret/none', { status: 404, body: { errors: [] } });
    const r = await runCli(srv, ['read', 'secret/none']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, 'No value found at secret/none\n');
  });
});
