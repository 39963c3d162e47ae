import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Coffer } from './index.ts';
import { envelope, type RecordingServer, startRecordingServer } from './testing/recording-server.ts';

let srv: RecordingServer;
let client: Coffer;

before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => {
  srv.reset();
  client = new Coffer({ address: srv.address, token: 'root' });
});

const LEASE = 'database/creds/app/AbC123';
const calls = () => srv.seen.map((s) => [s.method, s.path, s.body]);

describe('leases', () => {
  test('lookup sends the id in the body and returns data', async () => {
    const data = {
      id: LEASE,
      issue_time: '2024-01-01T00:00:00Z',
      expire_time: '2024-01-01T01:00:00Z',
      last_renewal: null,
      renewable: true,
      ttl: 3599,
    };
    srv.on('PUT /v1/sys/leases/lookup', { status: 200, body: envelope(data) });
    assert.deepEqual(await client.leases.lookup(LEASE), data);
    assert.deepEqual(calls(), [['PUT', '/v1/sys/leases/lookup', { lease_id: LEASE }]]);
  });

  test('list LISTs a prefix; none is []', async () => {
    srv.on('GET /v1/sys/leases/lookup/database/creds/app/', {
      status: 200,
      body: envelope({ keys: ['AbC123', 'DeF456'] }),
    });
    assert.deepEqual(await client.leases.list('database/creds/app/'), ['AbC123', 'DeF456']);
    assert.deepEqual(srv.seen[0]!.query, { list: 'true' });
    assert.deepEqual(await client.leases.list('/nothing/'), []);
    assert.equal(srv.seen[1]!.path, '/v1/sys/leases/lookup/nothing/');
  });

  test('renew with and without an increment returns the envelope', async () => {
    srv.on('PUT /v1/sys/leases/renew', {
      status: 200,
      body: envelope(null, { lease_id: LEASE, lease_duration: 1800, renewable: true }),
    });
    const s = await client.leases.renew(LEASE, '30m');
    assert.equal(s.lease_id, LEASE);
    assert.equal(s.lease_duration, 1800);
    assert.equal(s.renewable, true);
    await client.leases.renew(LEASE);
    await client.leases.renew(LEASE, 60);
    assert.deepEqual(
      srv.seen.map((x) => x.body),
      [{ lease_id: LEASE, increment: '30m' }, { lease_id: LEASE }, { lease_id: LEASE, increment: 60 }],
    );
  });

  test('revoke, revokePrefix, revokeForce, revokeEntity', async () => {
    srv.on('PUT /v1/sys/leases/revoke', { status: 204 });
    srv.on('PUT /v1/sys/leases/revoke-prefix/*', { status: 204 });
    srv.on('PUT /v1/sys/leases/revoke-force/*', { status: 204 });
    srv.on('PUT /v1/sys/leases/revoke-entity', { status: 204 });
    await client.leases.revoke(LEASE);
    await client.leases.revoke(LEASE, { sync: true });
    await client.leases.revokePrefix('/database/creds/', { sync: false });
    await client.leases.revokePrefix('database/creds/app');
    await client.leases.revokeForce('database/');
    await client.leases.revokeEntity('ent-1');
    assert.deepEqual(calls(), [
      ['PUT', '/v1/sys/leases/revoke', { lease_id: LEASE }],
      ['PUT', '/v1/sys/leases/revoke', { lease_id: LEASE, sync: true }],
      ['PUT', '/v1/sys/leases/revoke-prefix/database/creds/', { sync: false }],
      ['PUT', '/v1/sys/leases/revoke-prefix/database/creds/app', {}],
      ['PUT', '/v1/sys/leases/revoke-force/database/', undefined],
      ['PUT', '/v1/sys/leases/revoke-entity', { entity_id: 'ent-1' }],
    ]);
  });

  test('count and irrevocable', async () => {
    srv.on('GET /v1/sys/leases/count', {
      status: 200,
      body: envelope({ lease_count: 3, counts: { 'db/': 3 } }),
    });
    srv.on('GET /v1/sys/leases', {
      status: 200,
      body: envelope({
        leases: [{ lease_id: LEASE, mount_id: 'm1', error: 'connection refused' }],
        lease_count: 1,
      }),
    });
    assert.deepEqual(await client.leases.count(), { lease_count: 3, counts: { 'db/': 3 } });
    assert.deepEqual(srv.seen[0]!.query, {});
    await client.leases.count({ type: 'irrevocable' });
    assert.deepEqual(srv.seen[1]!.query, { type: 'irrevocable' });
    const irr = await client.leases.irrevocable();
    assert.equal(irr.lease_count, 1);
    assert.equal(irr.leases[0]!.error, 'connection refused');
    assert.deepEqual(srv.seen[2]!.query, { type: 'irrevocable' });
    srv.on('GET /v1/sys/leases', { status: 200, body: envelope({}) });
    assert.deepEqual(await client.leases.irrevocable(), { leases: [], lease_count: 0 });
  });

  test('errors surface as CofferApiError', async () => {
    srv.on('PUT /v1/sys/leases/lookup', { status: 400, body: { errors: ['invalid lease'] } });
    await assert.rejects(client.leases.lookup('x'), { name: 'CofferApiError', status: 400 });
  });
});

describe('passwordPolicies', () => {
  const TEXT = 'length = 20\nrule "charset" {\n  charset = "abc"\n}';

  test('write, read, list, delete, generate', async () => {
    srv.on('PUT /v1/sys/policies/password/web', { status: 204 });
    srv.on('GET /v1/sys/policies/password/web', { status: 200, body: envelope({ policy: TEXT }) });
    srv.on('GET /v1/sys/policies/password', { status: 200, body: envelope({ keys: ['web'] }) });
    srv.on('DELETE /v1/sys/policies/password/web', { status: 204 });
    srv.on('GET /v1/sys/policies/password/web/generate', {
      status: 200,
      body: envelope({ password: 'abcabcabcabcabcabcab' }),
    });
    await client.passwordPolicies.write('web', TEXT);
    assert.equal(await client.passwordPolicies.read('web'), TEXT);
    assert.deepEqual(await client.passwordPolicies.list(), ['web']);
    assert.equal(await client.passwordPolicies.generate('web'), 'abcabcabcabcabcabcab');
    await client.passwordPolicies.delete('web');
    assert.deepEqual(calls(), [
      ['PUT', '/v1/sys/policies/password/web', { policy: TEXT }],
      ['GET', '/v1/sys/policies/password/web', undefined],
      ['GET', '/v1/sys/policies/password', undefined],
      ['GET', '/v1/sys/policies/password/web/generate', undefined],
      ['DELETE', '/v1/sys/policies/password/web', undefined],
    ]);
    assert.deepEqual(srv.seen[2]!.query, { list: 'true' });
  });

  test('missing: read is null, list is [], generate throws', async () => {
    assert.equal(await client.passwordPolicies.read('nope'), null);
    assert.deepEqual(await client.passwordPolicies.list(), []);
    await assert.rejects(client.passwordPolicies.generate('nope'), { name: 'CofferApiError', status: 404 });
  });
});
