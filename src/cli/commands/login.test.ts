import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { envelope, type RecordingServer, runCli, startRecordingServer } from '../testing/run-cli.ts';

let srv: RecordingServer;
const dir = mkdtempSync(join(tmpdir(), 'coffer-login-'));
let tokenFile: string;
let n = 0;

before(async () => {
  srv = await startRecordingServer();
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  srv.reset();
  tokenFile = join(dir, `token-${n++}`);
});

/** No COFFER_TOKEN: login is how the CLI gets one. */
const env = () => ({ COFFER_TOKEN: undefined, COFFER_TOKEN_FILE: tokenFile });

const lookup = envelope({
  id: 's.root',
  accessor: 'acc-root',
  policies: ['root'],
  ttl: 0,
  renewable: false,
  meta: null,
  type: 'service',
  orphan: true,
});
const userAuth = {
  client_token: 's.user',
  accessor: 'acc-user',
  policies: ['default', 'dev'],
  token_policies: ['default', 'dev'],
  metadata: { username: 'alice' },
  lease_duration: 2764800,
  renewable: true,
};

describe('login -method=token', () => {
  test('verifies with lookup-self, stores the token with mode 0600, prints the table', async () => {
    srv.on('GET /v1/auth/token/lookup-self', { status: 200, body: lookup });
    const r = await runCli(srv, ['login', 's.root'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(srv.seen[0]!.headers['x-vault-token'], 's.root');
    assert.equal(readFileSync(tokenFile, 'utf8'), 's.root');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.equal(
      r.stdout,
      `Success! You are now authenticated. The token information displayed below
is already stored in the token helper. You do NOT need to run "coffer
login" again. Future Coffer requests will automatically use this token.

Key                  Value
---                  -----
token                s.root
token_accessor       acc-root
token_duration       ∞
token_renewable      false
token_policies       ["root"]
identity_policies    []
policies             ["root"]
`,
    );
  });

  test('token=… argument, prompt on stdin when missing; a bad token exits 2 and stores nothing', async () => {
    srv.on('GET /v1/auth/token/lookup-self', { status: 200, body: lookup });
    assert.equal((await runCli(srv, ['login', 'token=s.root'], { env: env() })).code, 0);
    const prompted = await runCli(srv, ['login'], { env: env(), stdin: 's.typed\n' });
    assert.equal(prompted.code, 0, prompted.stderr);
    assert.match(prompted.stderr, /Token \(will be hidden\): /);
    assert.equal(srv.seen[1]!.headers['x-vault-token'], 's.typed');

    const badFile = join(dir, 'bad');
    srv.on('GET /v1/auth/token/lookup-self', { status: 403, body: { errors: ['permission denied'] } });
    const bad = await runCli(srv, ['login', 's.bad'], { env: { ...env(), COFFER_TOKEN_FILE: badFile } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^Error authenticating: [\s\S]*permission denied/);
    assert.throws(() => statSync(badFile), /ENOENT/);
  });

  test('-no-store leaves the token file alone and warns; -format=json prints the auth envelope', async () => {
    srv.on('GET /v1/auth/token/lookup-self', { status: 200, body: lookup });
    writeFileSync(tokenFile, 's.previous');
    const r = await runCli(srv, ['login', '-no-store', '-format=json', 's.root'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(tokenFile, 'utf8'), 's.previous');
    assert.match(r.stderr, /not stored/);
    const out = JSON.parse(r.stdout);
    assert.equal(out.auth.client_token, 's.root');
    assert.deepEqual(out.auth.policies, ['root']);
  });

  test('-token-only prints the raw token without verifying; -field=token_accessor', async () => {
    const only = await runCli(srv, ['login', '-token-only', 's.x'], { env: env() });
    assert.equal(only.code, 0, only.stderr);
    assert.equal(only.stdout, 's.x');
    assert.equal(srv.seen.length, 0);
    srv.on('GET /v1/auth/token/lookup-self', { status: 200, body: lookup });
    const field = await runCli(srv, ['login', '-field=token_accessor', 's.root'], { env: env() });
    assert.equal(field.stdout, 'acc-root');
  });

  test('warns when COFFER_TOKEN is set (it takes precedence over the file)', async () => {
    srv.on('GET /v1/auth/token/lookup-self', { status: 200, body: lookup });
    const r = await runCli(srv, ['login', 's.root'], { env: { COFFER_TOKEN_FILE: tokenFile } });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /WARNING! The COFFER_TOKEN/);
  });
});

describe('login -method=userpass and approle', () => {
  test('userpass with the password given: posts it at the mount, sends no token, stores the result', async () => {
    srv.on('POST /v1/auth/people/login/alice', { status: 200, body: envelope(null, { auth: userAuth }) });
    const r = await runCli(
      srv,
      ['login', '-method=userpass', '-path=people', 'username=alice', 'password=s3cret'],
      { env: { COFFER_TOKEN_FILE: tokenFile } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.seen[0]!.body, { password: 's3cret' });
    assert.equal(srv.seen[0]!.headers['x-vault-token'], undefined);
    assert.equal(readFileSync(tokenFile, 'utf8'), 's.user');
    assert.match(r.stdout, /token_duration\s+768h\n/);
    assert.match(r.stdout, /token_policies\s+\["default" "dev"\]\n/);
    assert.match(r.stdout, /token_meta_username\s+alice\n/);
  });

  test('userpass prompts for the password on stdin and never echoes it', async () => {
    srv.on('POST /v1/auth/userpass/login/alice', { status: 200, body: envelope(null, { auth: userAuth }) });
    const r = await runCli(srv, ['login', '-method=userpass', 'username=alice'], {
      env: env(),
      stdin: 'typed-pw\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Password \(will be hidden\): /);
    assert.doesNotMatch(r.stderr + r.stdout, /typed-pw/);
    assert.deepEqual(srv.seen[0]!.body, { password: 'typed-pw' });
  });

  test('userpass without username: exit 1; wrong password: exit 2', async () => {
    const missing = await runCli(srv, ['login', '-method=userpass', 'password=x'], { env: env() });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /'username' must be specified/);
    srv.on('POST /v1/auth/userpass/login/bob', {
      status: 400,
      body: { errors: ['invalid username or password'] },
    });
    const wrong = await runCli(srv, ['login', '-method=userpass', 'username=bob', 'password=x'], {
      env: env(),
    });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /invalid username or password/);
    assert.doesNotMatch(wrong.stderr, /password=x/);
  });

  test('approle posts role_id and secret_id', async () => {
    srv.on('POST /v1/auth/approle/login', { status: 200, body: envelope(null, { auth: userAuth }) });
    const r = await runCli(srv, ['login', '-method=approle', 'role_id=r1', 'secret_id=s1'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.seen[0]!.body, { role_id: 'r1', secret_id: 's1' });
    assert.equal(readFileSync(tokenFile, 'utf8'), 's.user');
  });

  test('an unknown method exits 1', async () => {
    const r = await runCli(srv, ['login', '-method=github', 'token=x'], { env: env() });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unknown auth method: github/);
  });
});
