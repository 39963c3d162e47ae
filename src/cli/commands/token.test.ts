import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { envelope, type RecordingServer, runCli, startRecordingServer } from '../testing/run-cli.ts';

let srv: RecordingServer;
before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => srv.reset());

const auth = {
  client_token: 's.child',
  accessor: 'acc-child',
  policies: ['default', 'dev'],
  token_policies: ['default', 'dev'],
  identity_policies: [],
  metadata: { team: 'a' },
  lease_duration: 3600,
  renewable: true,
};
const created = envelope(null, { auth });
const wrapInfo = {
  token: 's.wrap',
  accessor: 'wacc',
  ttl: 300,
  creation_time: '2024-01-01T00:00:00Z',
  creation_path: 'auth/token/create',
  wrapped_accessor: 'acc-child',
};

describe('token create', () => {
  test('sends the flags as Vault names them and prints the auth table', async () => {
    srv.on('POST /v1/auth/token/create', { status: 200, body: created });
    const r = await runCli(srv, [
      'token',
      'create',
      '-policy=dev',
      '-policy=ops,audit',
      '-ttl=1h',
      '-explicit-max-ttl=24h',
      '-period=30m',
      '-no-default-policy',
      '-use-limit=5',
      '-renewable=false',
      '-display-name=ci',
      '-metadata=team=a',
      '-type=service',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.seen[0]!.body, {
      policies: ['dev', 'ops', 'audit'],
      meta: { team: 'a' },
      ttl: '1h',
      explicit_max_ttl: '24h',
      period: '30m',
      renewable: false,
      no_default_policy: true,
      display_name: 'ci',
      num_uses: 5,
      type: 'service',
    });
    assert.equal(
      r.stdout,
      `Key                  Value
---                  -----
token                s.child
token_accessor       acc-child
token_duration       1h
token_renewable      true
token_policies       ["default" "dev"]
identity_policies    []
policies             ["default" "dev"]
token_meta_team      a
`,
    );
  });

  test('-orphan and -role pick the endpoint; -field=token prints it raw', async () => {
    srv.on('POST /v1/auth/token/*', { status: 200, body: created });
    const orphan = await runCli(srv, ['token', 'create', '-orphan', '-field=token']);
    assert.equal(orphan.stdout, 's.child');
    await runCli(srv, ['token', 'create', '-role=ci', '-orphan']);
    assert.deepEqual(
      srv.seen.map((s) => [s.path, s.body]),
      [
        ['/v1/auth/token/create-orphan', {}],
        ['/v1/auth/token/create/ci', {}],
      ],
    );
  });

  test('-format=json prints the response; errors exit 2; bad -type and arguments exit 1', async () => {
    srv.on('POST /v1/auth/token/create', { status: 200, body: created });
    const json = await runCli(srv, ['token', 'create', '-format=json']);
    assert.equal(JSON.parse(json.stdout).auth.client_token, 's.child');
    srv.on('POST /v1/auth/token/create', { status: 403, body: { errors: ['permission denied'] } });
    const denied = await runCli(srv, ['token', 'create']);
    assert.equal(denied.code, 2);
    assert.match(denied.stderr, /^Error creating token: [\s\S]*permission denied/);
    assert.equal((await runCli(srv, ['token', 'create', '-type=weird'])).code, 1);
    assert.equal((await runCli(srv, ['token', 'create', 'extra'])).code, 1);
  });

  test('-wrap-ttl sends X-Vault-Wrap-TTL and prints the wrap_info table', async () => {
    srv.on('POST /v1/auth/token/create', { status: 200, body: envelope(null, { wrap_info: wrapInfo }) });
    const r = await runCli(srv, ['token', 'create', '-wrap-ttl=5m', '-policy=dev']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(srv.seen[0]!.headers['x-vault-wrap-ttl'], '5m');
    assert.equal(
      r.stdout,
      `Key                              Value
---                              -----
wrapping_token:                  s.wrap
wrapping_accessor:               wacc
wrapping_token_ttl:              5m
wrapping_token_creation_time:    2024-01-01T00:00:00Z
wrapping_token_creation_path:    auth/token/create
wrapped_accessor:                acc-child
`,
    );
    const field = await runCli(srv, ['token', 'create', '-wrap-ttl=5m', '-field=wrapping_token']);
    assert.equal(field.stdout, 's.wrap');
  });
});

describe('token lookup and renew', () => {
  const data = { id: 's.x', accessor: 'a.x', policies: ['default'], ttl: 60, renewable: true };

  test('lookup: self, a token (in the body), an accessor; table of data', async () => {
    srv.on('GET /v1/auth/token/lookup-self', { status: 200, body: envelope(data) });
    srv.on('POST /v1/auth/token/lookup', { status: 200, body: envelope(data) });
    srv.on('POST /v1/auth/token/lookup-accessor', { status: 200, body: envelope(data) });
    const self = await runCli(srv, ['token', 'lookup']);
    assert.equal(self.code, 0, self.stderr);
    assert.match(
      self.stdout,
      /^Key\s+Value\n---\s+-----\naccessor\s+a\.x\nid\s+s\.x\npolicies\s+\[default\]\n/,
    );
    await runCli(srv, ['token', 'lookup', 's.other']);
    await runCli(srv, ['token', 'lookup', '-accessor', 'a.other']);
    assert.deepEqual(
      srv.seen.map((s) => [s.method, s.path, s.body]),
      [
        ['GET', '/v1/auth/token/lookup-self', undefined],
        ['POST', '/v1/auth/token/lookup', { token: 's.other' }],
        ['POST', '/v1/auth/token/lookup-accessor', { accessor: 'a.other' }],
      ],
    );
    assert.equal((await runCli(srv, ['token', 'lookup', '-accessor'])).code, 1);
    const json = await runCli(srv, ['token', 'lookup', '-format=json']);
    assert.equal(JSON.parse(json.stdout).data.id, 's.x');
  });

  test('lookup of an unknown token exits 2', async () => {
    srv.on('POST /v1/auth/token/lookup', { status: 403, body: { errors: ['bad token'] } });
    const r = await runCli(srv, ['token', 'lookup', 's.gone']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error looking up token: /);
  });

  test('renew: self, a token with -increment, an accessor', async () => {
    srv.on('POST /v1/auth/token/*', { status: 200, body: created });
    const self = await runCli(srv, ['token', 'renew']);
    assert.equal(self.code, 0, self.stderr);
    assert.match(self.stdout, /token_duration\s+1h/);
    await runCli(srv, ['token', 'renew', '-increment=2h', 's.x']);
    await runCli(srv, ['token', 'renew', '-accessor', '-i=30m', 'a.x']);
    assert.deepEqual(
      srv.seen.map((s) => [s.path, s.body]),
      [
        ['/v1/auth/token/renew-self', {}],
        ['/v1/auth/token/renew', { token: 's.x', increment: '2h' }],
        ['/v1/auth/token/renew-accessor', { accessor: 'a.x', increment: '30m' }],
      ],
    );
  });
});

describe('token revoke', () => {
  test('a token, -self, -accessor, -mode=orphan, -mode=path', async () => {
    srv.on('POST /v1/auth/token/*', { status: 204 });
    srv.on('POST /v1/sys/leases/revoke-prefix/auth/token/create', { status: 204 });
    for (const argv of [
      ['s.x'],
      ['-self'],
      ['-accessor', 'a.x'],
      ['-mode=orphan', 's.y'],
      ['-mode=path', 'auth/token/create'],
    ]) {
      const r = await runCli(srv, ['token', 'revoke', ...argv]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Success! Revoked token (if it existed)\n');
    }
    assert.deepEqual(
      srv.seen.map((s) => [s.path, s.body]),
      [
        ['/v1/auth/token/revoke', { token: 's.x' }],
        ['/v1/auth/token/revoke-self', undefined],
        ['/v1/auth/token/revoke-accessor', { accessor: 'a.x' }],
        ['/v1/auth/token/revoke-orphan', { token: 's.y' }],
        ['/v1/sys/leases/revoke-prefix/auth/token/create', undefined],
      ],
    );
  });

  test('conflicting flags and argument counts exit 1 without a request', async () => {
    for (const [argv, message] of [
      [[], /Not enough arguments \(expected 1 or -self, got 0\)/],
      [['-self', 's.x'], /Too many arguments with -self/],
      [['-self', '-accessor'], /Cannot use -self with -accessor!/],
      [['-self', '-mode=orphan'], /Cannot use -self with -mode!/],
      [['-accessor', '-mode=orphan', 'a'], /Cannot use -accessor with -mode=orphan!/],
      [['-mode=tree', 'a'], /Invalid mode/],
    ] as const) {
      const r = await runCli(srv, ['token', 'revoke', ...argv]);
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(r.stderr, message);
    }
    assert.equal(srv.seen.length, 0);
  });
});

describe('token capabilities', () => {
  test('self with one argument, a token with two, an accessor; table and JSON', async () => {
    srv.on('POST /v1/sys/capabilities-self', {
      status: 200,
      body: envelope({ 'secret/x': ['read', 'list'] }),
    });
    srv.on('POST /v1/sys/capabilities', { status: 200, body: envelope({ capabilities: ['deny'] }) });
    srv.on('POST /v1/sys/capabilities-accessor', { status: 200, body: envelope({ 'secret/x': ['root'] }) });
    const self = await runCli(srv, ['token', 'capabilities', 'secret/x']);
    assert.equal(self.stdout, 'list, read\n');
    const other = await runCli(srv, ['token', 'capabilities', 's.t', 'secret/x']);
    assert.equal(other.stdout, 'deny\n');
    const json = await runCli(srv, ['token', 'capabilities', '-format=json', '-accessor', 'a.t', 'secret/x']);
    assert.deepEqual(JSON.parse(json.stdout), ['root']);
    assert.deepEqual(
      srv.seen.map((s) => s.body),
      [
        { paths: ['secret/x'] },
        { token: 's.t', paths: ['secret/x'] },
        { accessor: 'a.t', paths: ['secret/x'] },
      ],
    );
    assert.equal((await runCli(srv, ['token', 'capabilities'])).code, 1);
    assert.equal((await runCli(srv, ['token', 'capabilities', '-accessor', 'secret/x'])).code, 1);
  });
});
