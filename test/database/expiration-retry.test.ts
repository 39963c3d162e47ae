/**
 * Narrow repro behind the outage test: with REAL timers (as in the server), a lease whose backend
 * revocation fails must be retried on the backoff schedule and end up irrevocable after
 * `maxAttempts`. The manager's unit tests drive it with `timers: false` + tick(), which never
 * takes the path that loses the retry.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExpirationManager } from '../../src/core/expiration/manager.ts';
import { silentLogger } from '../../src/sdk/logger.ts';
import { StorageView } from '../../src/sdk/storage-view.ts';
import { InmemStorage } from '../../src/storage/inmem/inmem.ts';
import { waitFor } from './helpers.ts';

test('real timers: a failing revocation is retried until irrevocable (base 20 ms, 6 attempts)', async () => {
  const inner = new InmemStorage();
  const attempts: number[] = [];
  const m = new ExpirationManager(
    {
      storage: new StorageView(inner, 'sys/expire/'),
      barrier: inner,
      now: () => Date.now(),
      logger: silentLogger,
      revokeSecret: async () => {
        attempts.push(Date.now());
        throw new Error('database says no');
      },
      renewSecret: async () => undefined,
      limits: () => ({ defaultTTL: 1, maxTTL: 10 }),
    },
    { backoffBaseMs: 20, jitter: 0 },
  );
  await m.load();
  try {
    await m.register({
      path: 'database/creds/app',
      mountUuid: 'mnt',
      type: 'creds',
      internal: {},
      ttl: 1,
      renewable: true,
      tokenHash: 'tok',
    });
    // Attempts at expiry (+1 s) and +20, +40, +80, +160, +320 ms: irrevocable ~1.65 s after issue.
    const done = await waitFor(async () => m.count({ type: 'irrevocable' }).lease_count === 1, 4000, 20);
    console.log(`# ${attempts.length} revocation attempt(s) in ${done === undefined ? '4 s' : 'time'}`);
    assert.ok(attempts.length >= 2, `only ${attempts.length} attempt(s): the retry was never scheduled`);
    assert.ok(done !== undefined, 'not irrevocable');
    assert.equal(attempts.length, 6);
  } finally {
    m.unload();
  }
});
