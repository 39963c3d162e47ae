import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, InternalError, SealedError } from '../../sdk/errors.ts';
import { silentLogger } from '../../sdk/logger.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { SYSTEM_MAX_LEASE_TTL } from '../../sdk/system.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { MinHeap } from './heap.ts';
import { type LeaseEntry, leaseTTLs } from './lease.ts';
import { ExpirationManager } from './manager.ts';
import { DAY, harness, START } from './test-helper.ts';

const stored = (h: { view: StorageView }, id: string) => h.view.getJSON<LeaseEntry>(`id/${id}`);

describe('MinHeap', () => {
  it('pops in due order, from push and from heapify', () => {
    const dues = [5, 3, 9, 1, 7, 3, 0, 8];
    const h = MinHeap.from(dues.map((due, i) => ({ due, id: String(i) })));
    const h2 = new MinHeap();
    for (const [i, due] of dues.entries()) h2.push({ due, id: String(i) });
    for (const heap of [h, h2]) {
      const out: number[] = [];
      while (heap.size) out.push(heap.pop()!.due);
      assert.deepEqual(
        out,
        [...dues].sort((a, b) => a - b),
      );
    }
  });
});

describe('TTL rules', () => {
  const cases: [
    string,
    number,
    number | undefined,
    { defaultTTL: number; maxTTL: number },
    number,
    number,
  ][] = [
    ['0 → mount default', 0, undefined, { defaultTTL: 3600, maxTTL: DAY }, 3600, DAY],
    ['negative → mount default', -5, undefined, { defaultTTL: 3600, maxTTL: DAY }, 3600, DAY],
    ['capped by mount max', 2 * DAY, undefined, { defaultTTL: 3600, maxTTL: DAY }, DAY, DAY],
    ['maxTTL capped by mount max', 60, 5 * DAY, { defaultTTL: 3600, maxTTL: DAY }, 60, DAY],
    ['ttl capped by own maxTTL', 600, 300, { defaultTTL: 3600, maxTTL: DAY }, 300, 300],
    ['default capped by max', 0, undefined, { defaultTTL: 7200, maxTTL: 3600 }, 3600, 3600],
    [
      'unset limits → system max, never forever',
      0,
      0,
      { defaultTTL: 0, maxTTL: 0 },
      SYSTEM_MAX_LEASE_TTL,
      SYSTEM_MAX_LEASE_TTL,
    ],
    [
      'mount max above system max',
      100 * DAY,
      -1,
      { defaultTTL: 0, maxTTL: 100 * DAY },
      SYSTEM_MAX_LEASE_TTL,
      SYSTEM_MAX_LEASE_TTL,
    ],
  ];
  for (const [name, ttl, max, limits, wantTTL, wantMax] of cases) {
    it(name, () => assert.deepEqual(leaseTTLs(ttl, max, limits), { ttl: wantTTL, maxTTL: wantMax }));
  }
});

describe('ExpirationManager', () => {
  it('refuses work before load and after unload (sealed)', async () => {
    const h = await harness();
    h.m.unload();
    await assert.rejects(h.reg(), SealedError);
    assert.throws(() => h.m.count(), SealedError);
  });

  it('register persists the lease and its token index in one batch before returning; lookup shape', async () => {
    const h = await harness();
    const lease = await h.reg({ ttl: 600, maxTTL: 7200 });
    assert.match(lease.leaseId, /^db\/creds\/ro\/[A-Za-z0-9]{24}$/);
    const s = await stored(h, lease.leaseId);
    assert.ok(s);
    assert.deepEqual(s.internal, { username: 'v-ro-1' });
    assert.equal(s.expireTime, START + 600_000);
    assert.equal(s.maxExpireTime, START + 7_200_000);
    assert.equal(s.revokeAttempts, 0);
    assert.equal(s.irrevocable, false);
    const suffix = lease.leaseId.split('/').pop();
    assert.equal((await h.view.get(`token/tokhash1/${suffix}`))?.toString(), lease.leaseId);
    h.clock.advance(100);
    assert.deepEqual(await h.m.lookup(lease.leaseId), {
      id: lease.leaseId,
      issue_time: '2024-01-02T03:04:05.000Z',
      expire_time: '2024-01-02T03:14:05.000Z',
      last_renewal: null,
      renewable: true,
      ttl: 500,
    });
    assert.equal(await h.m.lookup('db/creds/ro/nope'), undefined);
    assert.deepEqual(await h.m.list(''), ['db/']);
    assert.deepEqual(await h.m.list('db/creds'), ['ro/']);
    assert.deepEqual(await h.m.list('db/creds/ro/'), [suffix]);
    assert.deepEqual(h.m.count(), { lease_count: 1, counts: { 'mnt-db': 1 } });
    // No token: no index entry.
    await h.reg({ tokenHash: '' });
    assert.deepEqual(await h.view.list('token/'), ['tokhash1/']);
  });

  it('register: mount default for ttl 0, mount and system max caps', async () => {
    const h = await harness();
    h.limits.set('big', { defaultTTL: 0, maxTTL: 0 });
    const a = await h.reg({ ttl: 0 });
    assert.equal(a.ttl, 3600);
    const b = await h.reg({ ttl: 10 * DAY });
    assert.equal(b.ttl, DAY);
    assert.equal(b.maxExpireTime, START + DAY * 1000);
    const c = await h.reg({ ttl: -1, mountUuid: 'big' });
    assert.equal(c.ttl, SYSTEM_MAX_LEASE_TTL);
    assert.equal(c.maxExpireTime, START + SYSTEM_MAX_LEASE_TTL * 1000);
    await assert.rejects(h.reg({ path: 'db/../x' }), BadRequestError);
  });

  it('alsoDelete keys go in the same atomic batch; a failed batch registers nothing', async () => {
    const h = await harness();
    await h.inner.put('sys/wal/db/pending-1', Buffer.from('x'));
    const lease = await h.m.register(
      {
        path: 'db/creds/ro',
        mountUuid: 'mnt-db',
        type: 'creds',
        internal: {},
        ttl: 60,
        renewable: false,
        tokenHash: 't',
      },
      { alsoDelete: ['sys/wal/db/pending-1'] },
    );
    assert.equal(await h.inner.get('sys/wal/db/pending-1'), undefined);
    assert.ok(await stored(h, lease.leaseId));

    const before = h.inner.size;
    h.deps.barrier = {
      batch: async () => {
        throw new Error('disk full');
      },
    };
    const m = new ExpirationManager(h.deps, { timers: false });
    await m.load();
    await assert.rejects(
      m.register({
        path: 'db/creds/ro',
        mountUuid: 'mnt-db',
        type: 'creds',
        internal: {},
        ttl: 60,
        renewable: false,
        tokenHash: 't',
      }),
      /disk full/,
    );
    assert.equal(h.inner.size, before);
    assert.equal(m.count().lease_count, 1);
  });

  it('revokes a lease when it expires: backend, then lease and index deleted', async () => {
    const h = await harness();
    const a = await h.reg({ ttl: 60 });
    const b = await h.reg({ ttl: 120 });
    h.clock.advance(59);
    await h.m.tick();
    assert.deepEqual(h.revoked, []);
    h.clock.advance(1);
    await h.m.tick();
    assert.deepEqual(h.revoked, [a.leaseId]);
    assert.equal(await stored(h, a.leaseId), undefined);
    assert.equal((await h.view.list('token/tokhash1/')).length, 1);
    h.clock.advance(60);
    await h.m.tick();
    assert.deepEqual(h.revoked, [a.leaseId, b.leaseId]);
    assert.deepEqual(await h.view.listAll(''), []);
    assert.equal(h.m.count().lease_count, 0);
  });

  it('renew: Vault rules for increment, max TTL, backend answer and refusals', async () => {
    const h = await harness();
    const lease = await h.reg({ ttl: 600, maxTTL: 1000 });
    h.clock.advance(100);
    let r = await h.m.renew(lease.leaseId, 0);
    assert.equal(r.ttl, 600, 'increment 0 → the original ttl');
    assert.equal(r.lease.expireTime, START + 700_000);
    assert.deepEqual(h.renewCalls.at(-1), { leaseId: lease.leaseId, increment: 600 });
    assert.deepEqual(r.warnings, []);
    const look = await h.m.lookup(lease.leaseId);
    assert.equal(look?.last_renewal, '2024-01-02T03:05:45.000Z');
    assert.equal(look?.ttl, 600);

    r = await h.m.renew(lease.leaseId, 5000);
    assert.equal(r.ttl, 900, 'capped at the max expiry');
    assert.equal(r.lease.expireTime, START + 1_000_000);
    assert.match(r.warnings[0]!, /capped/);

    h.renewAnswer = () => ({ ttl: 30 });
    r = await h.m.renew(lease.leaseId, 300);
    assert.equal(r.ttl, 30, 'the backend may lower it');
    assert.equal((await stored(h, lease.leaseId))?.expireTime, START + 130_000);

    h.renewAnswer = () => undefined;
    await assert.rejects(h.m.renew(lease.leaseId, 10), /not renewable/);
    await assert.rejects(h.m.renew(lease.leaseId, -1), BadRequestError);
    await assert.rejects(h.m.renew('db/creds/ro/unknown', 10), /lease not found/);
    const fixed = await h.reg({ renewable: false });
    await assert.rejects(h.m.renew(fixed.leaseId, 10), /not renewable/);
    h.clock.advance(31);
    await assert.rejects(h.m.renew(lease.leaseId, 10), /lease expired/);

    // The renewed expiry is what the scheduler uses.
    h.renewAnswer = (_l, inc) => ({ ttl: inc });
    const other = await h.reg({ ttl: 60 });
    await h.m.renew(other.leaseId, 600);
    h.clock.advance(100);
    await h.m.tick();
    assert.ok(!h.revoked.includes(other.leaseId));
    h.clock.advance(600);
    await h.m.tick();
    assert.ok(h.revoked.includes(other.leaseId));
  });

  it('revoke sync calls the backend now; a failure throws and keeps the lease for retry', async () => {
    const h = await harness();
    const a = await h.reg();
    await h.m.revoke(a.leaseId);
    assert.deepEqual(h.revoked, [a.leaseId]);
    assert.equal(await stored(h, a.leaseId), undefined);
    await h.m.revoke('db/creds/ro/unknown'); // no-op, as in Vault

    const b = await h.reg();
    h.failRevoke = () => new Error('connection refused');
    await assert.rejects(h.m.revoke(b.leaseId), InternalError);
    const s = await stored(h, b.leaseId);
    assert.equal(s?.revokeAttempts, 1);
    assert.equal(s?.lastError, 'connection refused');
    assert.ok(s?.nextAttempt !== undefined && s.nextAttempt > START);
  });

  it('revoke async returns before the backend runs, persists the due time, then the scheduler revokes', async () => {
    const h = await harness();
    const a = await h.reg({ ttl: 3600 });
    h.clock.advance(10);
    await h.m.revoke(a.leaseId, { sync: false });
    assert.deepEqual(h.attempts, []);
    assert.equal((await stored(h, a.leaseId))?.expireTime, START + 10_000);
    await h.m.tick();
    assert.deepEqual(h.revoked, [a.leaseId]);
  });

  it('revokePrefix revokes the leases under prefix/ only (sync and async)', async () => {
    const h = await harness();
    const a1 = await h.reg({ path: 'db/creds/a' });
    const a2 = await h.reg({ path: 'db/creds/a' });
    const ab = await h.reg({ path: 'db/creds/ab' });
    const b = await h.reg({ path: 'db/creds/b' });
    assert.equal(await h.m.revokePrefix('db/creds/a'), 2);
    assert.deepEqual(h.revoked.sort(), [a1.leaseId, a2.leaseId].sort());
    assert.equal(await h.m.revokePrefix('db/creds/', { sync: false }), 2);
    assert.equal(h.revoked.length, 2);
    await h.m.tick();
    assert.deepEqual(h.revoked.slice(2).sort(), [ab.leaseId, b.leaseId].sort());
    await assert.rejects(h.m.revokePrefix(''), BadRequestError);
  });

  it('revokeForce removes leases without calling the backend and reports them', async () => {
    const h = await harness();
    const a = await h.reg({ path: 'broken/creds/x' });
    const b = await h.reg({ path: 'broken/creds/y' });
    const keep = await h.reg();
    const removed = await h.m.revokeForce('broken');
    assert.deepEqual(removed, [a.leaseId, b.leaseId].sort());
    assert.deepEqual(h.attempts, []);
    assert.equal(await stored(h, a.leaseId), undefined);
    assert.deepEqual(await h.view.list('token/tokhash1/'), [keep.leaseId.split('/').pop()]);
    h.clock.advance(DAY);
    await h.m.tick();
    assert.deepEqual(h.attempts, [keep.leaseId]);
  });

  it('revokeByToken revokes every lease of that token and no other', async () => {
    const h = await harness();
    const a = await h.reg({ tokenHash: 'tokA' });
    const a2 = await h.reg({ tokenHash: 'tokA', path: 'other/creds/x' });
    const b = await h.reg({ tokenHash: 'tokB' });
    assert.equal(await h.m.revokeByToken('tokA'), 2);
    await h.m.tick();
    assert.deepEqual(h.revoked.sort(), [a.leaseId, a2.leaseId].sort());
    assert.ok(await stored(h, b.leaseId));
    assert.deepEqual(await h.view.list('token/'), ['tokB/']);
    assert.equal(await h.m.revokeByToken('tokB', { sync: true }), 1);
    assert.ok(h.revoked.includes(b.leaseId));
    assert.equal(await h.m.revokeByToken('nobody'), 0);
  });

  it('restart: 1,000 leases, 300 expired while down → exactly those revoked, 700 scheduled', async () => {
    const h = await harness();
    const short: string[] = [];
    const long: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const l = await h.reg({ ttl: i % 10 < 3 ? 60 : 7200, path: `db/creds/r${i % 7}` });
      (i % 10 < 3 ? short : long).push(l.leaseId);
    }
    h.m.unload();
    h.clock.advance(120); // down for two minutes
    const m = new ExpirationManager(h.deps, { timers: false });
    h.m = m;
    assert.deepEqual(await m.load(), { leases: 1000, due: 300 });
    assert.deepEqual(h.attempts, [], 'load does not wait for revocations');
    await m.tick();
    assert.deepEqual(h.revoked.sort(), short.sort());
    assert.equal(m.count().lease_count, 700);
    h.clock.advance(7200);
    await m.tick();
    assert.deepEqual(h.revoked.slice(300).sort(), long.sort());
    assert.deepEqual(await h.view.listAll(''), []);
  });

  it('load with timers revokes leases expired while down in the background', async () => {
    const h = await harness();
    const a = await h.reg({ ttl: 1 });
    h.m.unload();
    h.clock.advance(5);
    const m = new ExpirationManager(h.deps);
    h.m = m;
    await m.load();
    assert.deepEqual(h.revoked, []);
    for (let i = 0; i < 50 && h.revoked.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(h.revoked, [a.leaseId]);
    m.unload();
  });

  it('retries with exponential backoff and jitter, then keeps the lease as irrevocable across restarts; daily retry succeeds later', async () => {
    const h = await harness({ maxAttempts: 6 });
    const lease = await h.reg({ ttl: 10 });
    const other = await h.reg({ ttl: 10, path: 'db/creds/ok' });
    h.failRevoke = (l) => (l.path === 'db/creds/ro' ? new Error('permission denied for role') : undefined);
    h.clock.advance(10);
    await h.m.tick();
    assert.deepEqual(h.revoked, [other.leaseId]);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const s = (await stored(h, lease.leaseId))!;
      assert.equal(s.revokeAttempts, attempt);
      assert.equal(s.irrevocable, false);
      const delay = s.nextAttempt! - h.clock.ms;
      const base = 1000 * 2 ** (attempt - 1);
      assert.ok(delay >= base * 0.8 && delay <= base * 1.2, `attempt ${attempt}: ${delay} ms`);
      h.clock.ms += delay - 1;
      await h.m.tick();
      assert.equal((await stored(h, lease.leaseId))!.revokeAttempts, attempt, 'not before its time');
      h.clock.ms += 1;
      await h.m.tick();
    }
    const s = (await stored(h, lease.leaseId))!;
    assert.equal(s.revokeAttempts, 6);
    assert.equal(s.irrevocable, true);
    assert.equal(s.lastError, 'permission denied for role');
    assert.equal(s.nextAttempt, h.clock.ms + DAY * 1000);

    const m = await h.restart();
    assert.deepEqual(m.count({ type: 'irrevocable' }), { lease_count: 1, counts: { 'mnt-db': 1 } });
    const list = await m.irrevocable();
    assert.equal(list.lease_count, 1);
    assert.deepEqual(list.leases[0], {
      lease_id: lease.leaseId,
      mount_id: 'mnt-db',
      namespace: '',
      error: 'permission denied for role',
      expire_time: new Date(START + 10_000).toISOString(),
      revoke_attempts: 6,
      next_attempt: new Date(s.nextAttempt!).toISOString(),
    });
    await assert.rejects(m.renew(lease.leaseId, 60), /being revoked/);

    h.clock.advance(DAY - 1);
    await m.tick();
    assert.equal(h.attempts.filter((id) => id === lease.leaseId).length, 6);
    h.clock.advance(1);
    await m.tick();
    assert.equal((await stored(h, lease.leaseId))!.revokeAttempts, 7, 'still failing: kept, next day');
    h.failRevoke = undefined;
    h.clock.advance(DAY);
    await m.tick();
    assert.ok(h.revoked.includes(lease.leaseId));
    assert.equal(await stored(h, lease.leaseId), undefined);
    assert.deepEqual(m.count({ type: 'irrevocable' }), { lease_count: 0, counts: {} });
  });

  it('backoff is capped at 5 minutes', async () => {
    const h = await harness({ maxAttempts: 20, jitter: 0 });
    const lease = await h.reg({ ttl: 1 });
    h.failRevoke = () => new Error('down');
    h.clock.advance(1);
    for (let i = 0; i < 12; i++) {
      await h.m.tick();
      const s = (await stored(h, lease.leaseId))!;
      h.clock.ms = s.nextAttempt!;
    }
    const s = (await stored(h, lease.leaseId))!;
    assert.equal(s.revokeAttempts, 12);
    assert.equal(s.nextAttempt! - h.clock.ms, 0);
    await h.m.tick();
    const s2 = (await stored(h, lease.leaseId))!;
    assert.equal(s2.nextAttempt! - h.clock.ms, 300_000);
  });

  it('irrevocable() honours the limit; async revoke of an irrevocable lease retries it now', async () => {
    const h = await harness({ maxAttempts: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await h.reg({ ttl: 1 })).leaseId);
    h.failRevoke = () => new Error('nope');
    h.clock.advance(1);
    await h.m.tick();
    const r = await h.m.irrevocable({ limit: 2 });
    assert.equal(r.lease_count, 2);
    assert.equal(r.total, 3);
    h.failRevoke = undefined;
    await h.m.revoke(ids[0]!, { sync: false });
    await h.m.tick();
    assert.deepEqual(h.revoked, [ids[0]]);
  });

  it('tidy removes dangling index entries, repairs missing ones, revokes leases of vanished tokens', async () => {
    const h = await harness();
    const a = await h.reg({ tokenHash: 'alive' });
    const b = await h.reg({ tokenHash: 'gone' });
    await h.view.put('token/alive/dangling', Buffer.from('db/creds/ro/nothing'));
    await h.view.delete(`token/alive/${a.leaseId.split('/').pop()}`);
    h.deps.tokenExists = async (hash) => hash === 'alive';
    const r = await h.m.tidy();
    assert.deepEqual(r, { indexRemoved: 1, indexRepaired: 1, orphansRevoked: 1 });
    assert.deepEqual(await h.view.list('token/alive/'), [a.leaseId.split('/').pop()]);
    await h.m.tick();
    assert.deepEqual(h.revoked, [b.leaseId]);
  });

  it('one real timer: a 1 s lease is revoked within 2 s of its expiry without any call', async () => {
    const inner = new InmemStorage();
    const revokedAt: number[] = [];
    const m = new ExpirationManager({
      storage: new StorageView(inner, 'sys/expire/'),
      barrier: inner,
      now: () => Date.now(),
      logger: silentLogger,
      revokeSecret: async () => {
        revokedAt.push(Date.now());
      },
      renewSecret: async () => undefined,
      limits: () => ({ defaultTTL: 60, maxTTL: 60 }),
    });
    await m.load();
    const lease = await m.register({
      path: 'db/creds/ro',
      mountUuid: 'm',
      type: 'creds',
      internal: {},
      ttl: 1,
      renewable: false,
      tokenHash: '',
    });
    const deadline = lease.expireTime + 2000;
    while (revokedAt.length === 0 && Date.now() < deadline + 500) await new Promise((r) => setTimeout(r, 25));
    m.unload();
    assert.equal(revokedAt.length, 1);
    assert.ok(
      revokedAt[0]! >= lease.expireTime && revokedAt[0]! <= deadline,
      `${revokedAt[0]! - lease.expireTime} ms`,
    );
  });
});
