import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, NotFoundError, UnsupportedOperationError } from '../../sdk/errors.ts';
import { createBackend, defineBackend, type FieldSpec } from '../../sdk/framework/index.ts';
import { silentLogger } from '../../sdk/logger.ts';
import type { Operation, Response } from '../../sdk/request.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { realSystemView } from '../../sdk/system.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { type LeasePathDeps, leasePaths } from './paths.ts';
import { harness } from './test-helper.ts';

async function sys(extra: Partial<LeasePathDeps> = {}) {
  const h = await harness({ maxAttempts: 1 });
  const entityCalls: string[] = [];
  const backend = createBackend(
    defineBackend({
      type: 'system',
      description: 'test',
      help: 'test',
      paths: leasePaths({
        manager: h.m,
        revokeEntity: async (id) => {
          entityCalls.push(id);
          return { tokens: 2, leases: 3 };
        },
        ...extra,
      }),
    }),
    {
      storage: new StorageView(new InmemStorage(), 'sys/'),
      system: realSystemView(),
      logger: silentLogger,
      mount: { path: 'sys/', type: 'system', accessor: 'system_1', uuid: 'sys', options: {} },
    },
  );
  const call = (
    operation: Operation,
    mountPath: string,
    data: Record<string, unknown> = {},
  ): Promise<Response> =>
    backend.handle({
      id: 'r',
      operation,
      path: `sys/${mountPath}`,
      data,
      headers: {},
      clientToken: '',
      remoteAddr: '127.0.0.1',
      mountPoint: 'sys/',
      mountPath,
    });
  return { h, call, entityCalls };
}

describe('sys/leases path table', () => {
  it('has help on every path and a description on every field', () => {
    for (const p of leasePaths({ manager: {} as never })) {
      assert.ok(p.help.synopsis && p.help.description, p.pattern);
      for (const [n, spec] of Object.entries(p.fields as Record<string, FieldSpec>))
        assert.ok(spec.description, n);
    }
  });

  it('lookup (PUT) and LIST lookup/:prefix', async () => {
    const { h, call } = await sys();
    const l = await h.reg();
    const res = await call('update', 'leases/lookup', { lease_id: l.leaseId });
    assert.deepEqual(Object.keys(res.data!).sort(), [
      'expire_time',
      'id',
      'issue_time',
      'last_renewal',
      'renewable',
      'ttl',
    ]);
    assert.equal(res.data!.ttl, 600);
    await assert.rejects(call('update', 'leases/lookup', { lease_id: 'db/creds/ro/x' }), /invalid lease/);
    assert.deepEqual((await call('list', 'leases/lookup')).data, { keys: ['db/'] });
    assert.deepEqual((await call('list', 'leases/lookup/db/creds')).data, { keys: ['ro/'] });
    assert.deepEqual((await call('list', 'leases/lookup/db/creds/ro')).data, {
      keys: [l.leaseId.split('/').pop()],
    });
    await assert.rejects(call('list', 'leases/lookup/nothing'), NotFoundError);
  });

  it('renew answers the lease envelope and no data (body id, URL id, legacy)', async () => {
    const { h, call } = await sys();
    const l = await h.reg({ maxTTL: 3600 });
    for (const [path, data] of [
      ['leases/renew', { lease_id: l.leaseId, increment: '1h' }],
      [`leases/renew/${l.leaseId}`, { increment: 120 }],
      ['renew', { lease_id: l.leaseId }],
      [`renew/${l.leaseId}`, {}],
    ] as const) {
      const res = await call('update', path, data);
      assert.equal(res.data, undefined, path);
      assert.equal(res.envelope?.lease_id, l.leaseId);
      assert.equal(res.envelope?.renewable, true);
      assert.equal(typeof res.envelope?.lease_duration, 'number');
    }
    assert.equal(h.renewCalls[0]!.increment, 3600);
    assert.equal(h.renewCalls[1]!.increment, 120);
    assert.equal(h.renewCalls[2]!.increment, 600);
    await assert.rejects(
      call('update', 'leases/renew', { lease_id: l.leaseId, increment: -5 }),
      BadRequestError,
    );
  });

  it('revoke: 204 sync, 202 async; URL and legacy forms', async () => {
    const { h, call } = await sys();
    const [a, b, c] = [await h.reg(), await h.reg(), await h.reg()];
    assert.deepEqual(await call('update', 'leases/revoke', { lease_id: a.leaseId }), {});
    assert.deepEqual(h.revoked, [a.leaseId]);
    assert.deepEqual(await call('update', `leases/revoke/${b.leaseId}`, { sync: false }), { status: 202 });
    assert.equal(h.revoked.length, 1);
    await h.m.tick();
    assert.deepEqual(h.revoked, [a.leaseId, b.leaseId]);
    await call('update', `revoke/${c.leaseId}`);
    assert.equal(h.revoked.length, 3);
  });

  it('revoke-prefix, revoke-force (warning with the count), legacy forms', async () => {
    const tokenPrefixes: string[] = [];
    const { h, call } = await sys({
      revokeTokenPrefix: async (p) => {
        tokenPrefixes.push(p);
        return 0;
      },
    });
    await h.reg({ path: 'db/creds/a' });
    await h.reg({ path: 'db/creds/a' });
    await h.reg({ path: 'db/creds/b' });
    await h.reg({ path: 'x/creds/y' });
    assert.deepEqual(await call('update', 'leases/revoke-prefix/db/creds/a'), {});
    assert.equal(h.revoked.length, 2);
    assert.deepEqual(await call('update', 'revoke-prefix/db', { sync: false }), { status: 202 });
    await h.m.tick();
    assert.equal(h.revoked.length, 3);
    const res = await call('update', 'leases/revoke-force/x');
    assert.match(res.warnings![0]!, /force-removed 1 lease/);
    assert.equal(h.attempts.length, 3);
    assert.deepEqual(h.m.count(), { lease_count: 0, counts: {} });
    assert.match((await call('update', 'revoke-force/none')).warnings![0]!, /force-removed 0 lease/);
    assert.deepEqual(tokenPrefixes, ['db/creds/a', 'db', 'x', 'none']);
  });

  it('count, irrevocable listing with limit, tidy 202, revoke-entity', async () => {
    const { h, call, entityCalls } = await sys();
    for (let i = 0; i < 3; i++) await h.reg({ ttl: 1 });
    await h.reg({ mountUuid: 'other' });
    assert.deepEqual((await call('read', 'leases/count')).data, {
      lease_count: 4,
      counts: { 'mnt-db': 3, other: 1 },
    });
    h.failRevoke = () => new Error('db down');
    h.clock.advance(1);
    await h.m.tick();
    assert.deepEqual((await call('read', 'leases/count', { type: 'irrevocable' })).data, {
      lease_count: 3,
      counts: { 'mnt-db': 3 },
    });
    const all = await call('read', 'leases', { type: 'irrevocable', limit: 'none' });
    assert.equal(all.data!.lease_count, 3);
    assert.equal((all.data!.leases as { error: string }[])[0]!.error, 'db down');
    const two = await call('read', 'leases', { type: 'irrevocable', limit: '2' });
    assert.equal((two.data!.leases as unknown[]).length, 2);
    assert.match(two.warnings![0]!, /2 of 3/);
    await assert.rejects(call('read', 'leases', {}), BadRequestError);
    await assert.rejects(call('read', 'leases', { type: 'irrevocable', limit: 'x' }), BadRequestError);

    assert.deepEqual(await call('update', 'leases/tidy'), { status: 202 });
    assert.deepEqual((await call('update', 'leases/revoke-entity', { entity_id: 'e1' })).data, {
      tokens_revoked: 2,
      leases_revoked: 3,
    });
    assert.deepEqual(entityCalls, ['e1']);
    const bare = await sys({ revokeEntity: undefined as never });
    await assert.rejects(
      bare.call('update', 'leases/revoke-entity', { entity_id: 'e1' }),
      UnsupportedOperationError,
    );
  });
});
