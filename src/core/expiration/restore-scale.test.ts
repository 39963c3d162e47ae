import assert from 'node:assert/strict';
import { it } from 'node:test';
import { silentLogger } from '../../sdk/logger.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import type { LeaseEntry } from './lease.ts';
import { ExpirationManager } from './manager.ts';

const N = 100_000;

it(`restores ${N.toLocaleString('en')} leases with one timer, in well under 30 s`, async () => {
  const inner = new InmemStorage();
  const view = new StorageView(inner, 'sys/expire/');
  const now = Date.UTC(2024, 0, 1);
  const ops = [];
  for (let i = 0; i < N; i++) {
    const leaseId = `db/creds/role${i % 20}/${String(i).padStart(24, '0')}`;
    const e: LeaseEntry = {
      leaseId,
      path: `db/creds/role${i % 20}`,
      mountUuid: `mnt-${i % 3}`,
      type: 'creds',
      internal: { username: `v-role-${i}` },
      issueTime: now - 1000,
      // 1% expired while down; the rest spread over a day.
      expireTime: i % 100 === 0 ? now - 1 : now + 1000 + ((i * 7919) % 86_400_000),
      ttl: 3600,
      creationTTL: 3600,
      maxExpireTime: now + 86_400_000 * 2,
      renewable: true,
      tokenHash: '',
      revokeAttempts: 0,
      irrevocable: false,
    };
    ops.push({ op: 'put' as const, key: `id/${leaseId}`, value: Buffer.from(JSON.stringify(e)) });
  }
  await view.batch(ops);

  let revoked = 0;
  const m = new ExpirationManager(
    {
      storage: view,
      barrier: inner,
      now: () => now,
      logger: silentLogger,
      revokeSecret: async () => {
        revoked++;
      },
      renewSecret: async () => undefined,
      limits: () => ({ defaultTTL: 3600, maxTTL: 86_400 }),
    },
    { timers: false },
  );
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const r = await m.load();
  const ms = performance.now() - t0;
  const rssMB = (process.memoryUsage().rss - rss0) / 1024 / 1024;
  global.gc?.();
  const heapMB = (process.memoryUsage().heapUsed - heap0) / 1024 / 1024;
  console.log(
    `restore of ${N} leases: ${ms.toFixed(0)} ms, RSS delta ${rssMB.toFixed(1)} MB, heap delta ${heapMB.toFixed(1)} MB${global.gc ? ' (after gc)' : ''}`,
  );
  assert.deepEqual(r, { leases: N, due: N / 100 });
  assert.ok(ms < 30_000);
  assert.equal(revoked, 0, 'load does not revoke inline');
  await m.tick();
  assert.equal(revoked, N / 100);
  assert.equal(m.count().lease_count, N - N / 100);
  m.unload();
});
