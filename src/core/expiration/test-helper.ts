/** Tier-1 harness for the expiration manager: in-memory storage, a fake clock, a scripted backend. */
import { silentLogger } from '../../sdk/logger.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import type { LeaseEntry, RegisterInput, TTLLimits } from './lease.ts';
import { type ExpirationDeps, ExpirationManager, type ExpirationOptions } from './manager.ts';

export const START = Date.UTC(2024, 0, 2, 3, 4, 5, 0);
export const DAY = 24 * 3600;

export interface Harness {
  inner: InmemStorage;
  view: StorageView;
  clock: { ms: number; advance(seconds: number): void };
  /** Lease ids the backend revoked, in order. */
  revoked: string[];
  /** Lease ids whose backend revocation was attempted (failed or not). */
  attempts: string[];
  /** Throws this on revoke when set (per call). */
  failRevoke: ((lease: LeaseEntry) => Error | undefined) | undefined;
  /** What the backend's renew answers (default: the increment). */
  renewAnswer: (lease: LeaseEntry, increment: number) => { ttl: number } | undefined;
  renewCalls: { leaseId: string; increment: number }[];
  limits: Map<string, TTLLimits>;
  deps: ExpirationDeps;
  m: ExpirationManager;
  /** A new manager over the same storage and clock (a restart); the old one is unloaded. */
  restart(opts?: ExpirationOptions): Promise<ExpirationManager>;
  reg(over?: Partial<RegisterInput>): Promise<LeaseEntry>;
}

export async function harness(
  opts: ExpirationOptions = {},
  inner: InmemStorage = new InmemStorage(),
): Promise<Harness> {
  const clock = {
    ms: START,
    advance(seconds: number) {
      clock.ms += seconds * 1000;
    },
  };
  const view = new StorageView(inner, 'sys/expire/');
  const limits = new Map<string, TTLLimits>([['mnt-db', { defaultTTL: 3600, maxTTL: DAY }]]);
  const h: Harness = {
    inner,
    view,
    clock,
    revoked: [],
    attempts: [],
    failRevoke: undefined,
    renewAnswer: (_l, inc) => ({ ttl: inc }),
    renewCalls: [],
    limits,
    deps: undefined as never,
    m: undefined as never,
    restart: async (o = opts) => {
      h.m.unload();
      h.m = new ExpirationManager(h.deps, { timers: false, ...o });
      await h.m.load();
      return h.m;
    },
    reg: (over = {}) =>
      h.m.register({
        path: 'db/creds/ro',
        mountUuid: 'mnt-db',
        type: 'creds',
        internal: { username: 'v-ro-1' },
        ttl: 600,
        renewable: true,
        tokenHash: 'tokhash1',
        ...over,
      }),
  };
  h.deps = {
    storage: view,
    barrier: inner,
    now: () => clock.ms,
    logger: silentLogger,
    revokeSecret: async (lease) => {
      h.attempts.push(lease.leaseId);
      const err = h.failRevoke?.(lease);
      if (err) throw err;
      h.revoked.push(lease.leaseId);
    },
    renewSecret: async (lease, increment) => {
      h.renewCalls.push({ leaseId: lease.leaseId, increment });
      return h.renewAnswer(lease, increment);
    },
    limits: (uuid) => limits.get(uuid) ?? { defaultTTL: 0, maxTTL: 0 },
  };
  h.m = new ExpirationManager(h.deps, { timers: false, ...opts });
  await h.m.load();
  return h;
}
