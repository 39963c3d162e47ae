import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { envelope, type RecordingServer, runCli, startRecordingServer } from '../testing/run-cli.ts';

let srv: RecordingServer;
before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => srv.reset());

const LEASE = 'database/creds/readonly/2f6a614c';
const calls = () => srv.seen.map((s) => [s.method, s.path, s.body]);

describe('lease lookup', () => {
  test('prints the lease as a Key/Value table, ttl as a duration', async () => {
    srv.on('PUT /v1/sys/leases/lookup', {
      status: 200,
      body: envelope({
        id: LEASE,
        issue_time: '2024-01-01T00:00:00Z',
        expire_time: '2024-01-01T01:00:00Z',
        last_renewal: null,
        renewable: true,
        ttl: 3599,
      }),
    });
    const r = await runCli(srv, ['lease', 'lookup', LEASE]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(calls(), [['PUT', '/v1/sys/leases/lookup', { lease_id: LEASE }]]);
    assert.equal(
      r.stdout,
      [
        'Key             Value',
        '---             -----',
        'expire_time     2024-01-01T01:00:00Z',
        `id              ${LEASE}`,
        'issue_time      2024-01-01T00:00:00Z',
        'last_renewal    <nil>',
        'renewable       true',
        'ttl             59m59s',
        '',
      ].join('\n'),
    );
    const j = await runCli(srv, ['lease', 'lookup', '-format=json', LEASE]);
    assert.equal(JSON.parse(j.stdout).ttl, 3599);
  });

  test('usage and API errors', async () => {
    const usage = await runCli(srv, ['lease', 'lookup']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /Not enough arguments/);
    srv.on('PUT /v1/sys/leases/lookup', { status: 400, body: { errors: ['invalid lease'] } });
    const r = await runCli(srv, ['lease', 'lookup', 'nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error looking up lease id nope: [\s\S]*\* invalid lease/);
  });
});

describe('lease renew', () => {
  test('sends the increment and prints the lease rows', async () => {
    srv.on('PUT /v1/sys/leases/renew', {
      status: 200,
      body: envelope(null, { lease_id: LEASE, lease_duration: 1800, renewable: true }),
    });
    const r = await runCli(srv, ['lease', 'renew', '-increment=30m', LEASE]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.seen[0]!.body, { lease_id: LEASE, increment: '30m' });
    assert.equal(
      r.stdout,
      [
        'Key                Value',
        '---                -----',
        `lease_id           ${LEASE}`,
        'lease_duration     30m',
        'lease_renewable    true',
        '',
      ].join('\n'),
    );
    await runCli(srv, ['lease', 'renew', LEASE]);
    assert.deepEqual(srv.seen[1]!.body, { lease_id: LEASE });
  });

  test('a refused renewal exits 2', async () => {
    srv.on('PUT /v1/sys/leases/renew', { status: 400, body: { errors: ['lease is not renewable'] } });
    const r = await runCli(srv, ['lease', 'renew', LEASE]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Error renewing [\s\S]*\* lease is not renewable/);
  });
});

describe('lease revoke', () => {
  beforeEach(() => {
    srv.on('PUT /v1/sys/leases/revoke', { status: 204 });
    srv.on('PUT /v1/sys/leases/revoke-prefix/*', { status: 204 });
    srv.on('PUT /v1/sys/leases/revoke-force/*', { status: 204 });
  });

  test('one lease, queued by default, or -sync', async () => {
    let r = await runCli(srv, ['lease', 'revoke', LEASE]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'All revocation operations queued successfully!\n');
    r = await runCli(srv, ['lease', 'revoke', '-sync', LEASE]);
    assert.equal(r.stdout, `Success! Revoked lease: ${LEASE}\n`);
    assert.deepEqual(calls(), [
      ['PUT', '/v1/sys/leases/revoke', { lease_id: LEASE, sync: false }],
      ['PUT', '/v1/sys/leases/revoke', { lease_id: LEASE, sync: true }],
    ]);
  });

  test('-prefix and -prefix -force', async () => {
    let r = await runCli(srv, ['lease', 'revoke', '-prefix', '-sync', 'database/creds/readonly']);
    assert.equal(r.stdout, 'Success! Revoked any leases with prefix: database/creds/readonly\n');
    r = await runCli(srv, ['lease', 'revoke', '-prefix', 'database/']);
    assert.equal(r.stdout, 'All revocation operations queued successfully!\n');
    r = await runCli(srv, ['lease', 'revoke', '-prefix', '-force', 'database/']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Force revoked any leases with prefix: database/\n');
    assert.deepEqual(calls(), [
      ['PUT', '/v1/sys/leases/revoke-prefix/database/creds/readonly', { sync: true }],
      ['PUT', '/v1/sys/leases/revoke-prefix/database/', { sync: false }],
      ['PUT', '/v1/sys/leases/revoke-force/database/', undefined],
    ]);
  });

  test('-force without -prefix is refused before any request, as Vault', async () => {
    const r = await runCli(srv, ['lease', 'revoke', '-force', LEASE]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Specifying -force requires also specifying -prefix/);
    assert.equal(srv.seen.length, 0);
  });

  test('usage errors exit 1; API errors exit 2', async () => {
    assert.equal((await runCli(srv, ['lease', 'revoke'])).code, 1);
    assert.equal((await runCli(srv, ['lease', 'revoke', '-bogus', LEASE])).code, 1);
    srv.on('PUT /v1/sys/leases/revoke', { status: 403, body: { errors: ['permission denied'] } });
    const r = await runCli(srv, ['lease', 'revoke', LEASE]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Error revoking lease [\s\S]*\* permission denied/);
  });
});

describe('lease list and lease irrevocable (Coffer extras)', () => {
  test('list prints Keys; nothing exits 2', async () => {
    srv.on('GET /v1/sys/leases/lookup/database/creds/readonly/', {
      status: 200,
      body: envelope({ keys: ['2f6a614c', 'bb01'] }),
    });
    const r = await runCli(srv, ['lease', 'list', 'database/creds/readonly/']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Keys\n----\n2f6a614c\nbb01\n');
    assert.deepEqual(srv.seen[0]!.query, { list: 'true' });
    const none = await runCli(srv, ['lease', 'list', 'other/']);
    assert.equal(none.code, 2);
  });

  test('irrevocable prints a table, or JSON', async () => {
    srv.on('GET /v1/sys/leases', {
      status: 200,
      body: envelope({
        leases: [
          {
            lease_id: LEASE,
            mount_id: 'm1',
            expire_time: '2024-01-01T01:00:00Z',
            error: 'dial tcp: refused',
          },
        ],
        lease_count: 1,
      }),
    });
    const r = await runCli(srv, ['lease', 'irrevocable']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.seen[0]!.query, { type: 'irrevocable' });
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^lease_id\s+mount_id\s+expire_time\s+error$/);
    assert.match(lines[2]!, new RegExp(`^${LEASE}\\s+m1\\s+2024-01-01T01:00:00Z\\s+dial tcp: refused$`));
    const j = await runCli(srv, ['lease', 'irrevocable', '-format=json']);
    assert.equal(JSON.parse(j.stdout).lease_count, 1);
  });
});

describe('read of a leased secret', () => {
  const creds = envelope(
    { password: 'A1a-secret', username: 'v-token-readonly-x' },
    { lease_id: 'database/creds/readonly/abc', lease_duration: 3600, renewable: true },
  );

  test('prints lease_id, lease_duration, lease_renewable before the data', async () => {
    srv.on('GET /v1/database/creds/readonly', { status: 200, body: creds });
    const r = await runCli(srv, ['read', 'database/creds/readonly']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'Key                Value',
        '---                -----',
        'lease_id           database/creds/readonly/abc',
        'lease_duration     1h',
        'lease_renewable    true',
        'password           A1a-secret',
        'username           v-token-readonly-x',
        '',
      ].join('\n'),
    );
  });

  test('-format=json prints the whole envelope; -field reaches the lease fields', async () => {
    srv.on('GET /v1/database/creds/readonly', { status: 200, body: creds });
    const j = await runCli(srv, ['read', '-format=json', 'database/creds/readonly']);
    const body = JSON.parse(j.stdout);
    assert.equal(body.lease_id, 'database/creds/readonly/abc');
    assert.equal(body.lease_duration, 3600);
    assert.equal(body.renewable, true);
    assert.deepEqual(body.data, { password: 'A1a-secret', username: 'v-token-readonly-x' });
    const f = await runCli(srv, ['read', '-field=lease_id', 'database/creds/readonly']);
    assert.equal(f.stdout, 'database/creds/readonly/abc');
  });

  test('no lease rows for a secret without a lease', async () => {
    srv.on('GET /v1/sys/foo', { status: 200, body: envelope({ a: 'b' }) });
    const r = await runCli(srv, ['read', 'sys/foo']);
    assert.doesNotMatch(r.stdout, /lease_/);
  });
});

test('lease groups its subcommands in help', async () => {
  const r = await runCli(srv, ['lease']);
  for (const sub of ['lookup', 'renew', 'revoke', 'list', 'irrevocable'])
    assert.match(r.stdout + r.stderr, new RegExp(sub));
});
