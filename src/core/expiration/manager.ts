import { randomBytes } from 'node:crypto';
import { BadRequestError, InternalError, SealedError } from '../../sdk/errors.ts';
import type { Logger } from '../../sdk/logger.ts';
import type { StorageView } from '../../sdk/storage-view.ts';
import type { Storage, StorageOp } from '../../storage/storage.ts';
import { type HeapItem, MinHeap } from './heap.ts';
import {
  cleanPath,
  indexKey,
  irrevocableJSON,
  type LeaseEntry,
  leaseKey,
  leaseTTLs,
  lookupJSON,
  mountMaxTTL,
  type RegisterInput,
  randomId,
  type TTLLimits,
} from './lease.ts';

/** What the expiration manager needs from core. */
export interface ExpirationDeps {
  /** Barrier view with prefix `sys/expire/`: the manager's alone. */
  storage: StorageView;
  /** The raw barrier, to register a lease atomically with `alsoDelete` keys (absolute keys). */
  barrier: Pick<Storage, 'batch'>;
  /** Unix milliseconds. */
  now(): number;
  logger: Logger;
  /** Calls the backend mounted with `lease.mountUuid` to revoke the secret. Throws on failure. */
  revokeSecret(lease: LeaseEntry): Promise<void>;
  /** Calls the backend to renew it; undefined when its secret type cannot be renewed. */
  renewSecret(lease: LeaseEntry, increment: number): Promise<{ ttl: number } | undefined>;
  /** TTL limits (seconds) of the mount, already capped by the system max. */
  limits(mountUuid: string): TTLLimits;
  random?(n: number): Buffer;
  /** Used by tidy(): whether the token of a lease still exists. Without it, tidy revokes nothing. */
  tokenExists?(tokenHash: string): Promise<boolean>;
}

export interface ExpirationOptions {
  /** Failed backend revocations before a lease becomes irrevocable (default 6). */
  maxAttempts?: number;
  /** First retry delay (default 1 s), doubled each attempt up to backoffCapMs (default 5 min). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** ± fraction of each retry delay (default 0.2). */
  jitter?: number;
  /** Retry period of irrevocable leases (default 24 h). */
  irrevocableRetryMs?: number;
  /** Background backend revocations run at once (default 16). */
  concurrency?: number;
  /** Parallel storage reads at load (default 256). */
  loadConcurrency?: number;
  /** Arm a real timer (default true). Tests with a fake clock set false and call tick(). */
  timers?: boolean;
  /** Longest single setTimeout (default 1 h); the timer is re-armed after. */
  maxTimerMs?: number;
}

export interface RenewResult {
  lease: LeaseEntry;
  /** Seconds granted. */
  ttl: number;
  warnings: string[];
}

export interface TidyResult {
  /** Index entries pointing at no lease (or at a lease of another token), deleted. */
  indexRemoved: number;
  /** Leases with a token whose index entry was missing, re-indexed. */
  indexRepaired: number;
  /** Leases whose token no longer exists (per deps.tokenExists), queued for revocation. */
  orphansRevoked: number;
}

interface Pending {
  due: number;
  mountUuid: string;
  irrevocable: boolean;
}

type Outcome = { ok: true } | { ok: false; error: unknown };

const DAY_MS = 24 * 3600 * 1000;

/**
 * Persists leases, revokes them when they end (one timer for the earliest expiry over a min-heap),
 * retries failed revocations with exponential backoff and jitter, and keeps the ones it cannot
 * revoke as irrevocable. Memory holds only (leaseId → due, mount, irrevocable); entries are read
 * from storage when needed.
 */
export class ExpirationManager {
  readonly #deps: ExpirationDeps;
  readonly #opts: Required<ExpirationOptions>;
  readonly #random: (n: number) => Buffer;
  #pending = new Map<string, Pending>();
  #heap = new MinHeap();
  #inflight = new Map<string, Promise<Outcome>>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #loaded = false;
  #epoch = 0;
  #active = 0;
  #waiting: (() => void)[] = [];

  constructor(deps: ExpirationDeps, opts: ExpirationOptions = {}) {
    this.#deps = deps;
    this.#random = deps.random ?? randomBytes;
    this.#opts = {
      maxAttempts: opts.maxAttempts ?? 6,
      backoffBaseMs: opts.backoffBaseMs ?? 1000,
      backoffCapMs: opts.backoffCapMs ?? 5 * 60 * 1000,
      jitter: opts.jitter ?? 0.2,
      irrevocableRetryMs: opts.irrevocableRetryMs ?? DAY_MS,
      concurrency: opts.concurrency ?? 16,
      loadConcurrency: opts.loadConcurrency ?? 256,
      timers: opts.timers ?? true,
      maxTimerMs: opts.maxTimerMs ?? 3600 * 1000,
    };
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /**
   * Restores every lease (unseal) and schedules it. Leases that ended while the server was down
   * are due at once: they are revoked in the background, with the usual retries. `quiet` skips
   * the log line (initialization sets everything up once before the first unseal).
   */
  async load(opts: { quiet?: boolean } = {}): Promise<{ leases: number; due: number }> {
    if (this.#loaded) this.unload();
    const epoch = ++this.#epoch;
    const keys = await this.#deps.storage.listAll('id/');
    const items: HeapItem[] = [];
    const pending = new Map<string, Pending>();
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        let e: LeaseEntry | undefined;
        try {
          e = await this.#deps.storage.getJSON<LeaseEntry>(key);
        } catch (err) {
          this.#deps.logger.error('expiration: cannot read lease; left in storage', { key, error: err });
          continue;
        }
        if (!e) continue;
        const due = e.nextAttempt ?? e.expireTime;
        pending.set(e.leaseId, { due, mountUuid: e.mountUuid, irrevocable: e.irrevocable });
        items.push({ due, id: e.leaseId });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#opts.loadConcurrency, keys.length) }, worker));
    if (epoch !== this.#epoch) return { leases: 0, due: 0 };
    this.#pending = pending;
    this.#heap = MinHeap.from(items);
    this.#loaded = true;
    const now = this.#deps.now();
    let due = 0;
    for (const i of items) if (i.due <= now) due++;
    if (!opts.quiet) this.#deps.logger.info('expiration: leases restored', { leases: pending.size, due });
    this.#arm();
    return { leases: pending.size, due };
  }

  /** Stops the timer and drops everything held in memory (seal). In-flight work is abandoned. */
  unload(): void {
    this.#loaded = false;
    this.#epoch++;
    this.#clearTimer();
    this.#pending = new Map();
    this.#heap = new MinHeap();
    this.#inflight = new Map();
  }

  /** Runs every revocation due now and waits for all in-flight ones. The timer calls it too. */
  async tick(): Promise<void> {
    if (!this.#loaded) return;
    this.#runDue();
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight.values()]);
  }

  /** Starts every revocation due now (bounded by `concurrency`); what the timer runs. */
  #runDue(): void {
    const now = this.#deps.now();
    for (;;) {
      const top = this.#heap.peek();
      if (!top || top.due > now) break;
      this.#heap.pop();
      const p = this.#pending.get(top.id);
      if (!p || p.due !== top.due || this.#inflight.has(top.id)) continue;
      void this.#attempt(top.id, true);
    }
    this.#arm();
  }

  // ---- registration -------------------------------------------------------------------------

  /**
   * Persists a lease (with its token index entry and, in the same batch, deletes `alsoDelete`,
   * absolute barrier keys) before returning it, then schedules it.
   */
  async register(input: RegisterInput, opts: { alsoDelete?: string[] } = {}): Promise<LeaseEntry> {
    this.#assertLoaded();
    const path = cleanPath(input.path, 'lease path');
    if (input.tokenHash !== '' && !/^[A-Za-z0-9._-]+$/.test(input.tokenHash))
      throw new BadRequestError('invalid token hash');
    const { ttl, maxTTL } = leaseTTLs(input.ttl, input.maxTTL, this.#deps.limits(input.mountUuid));
    const now = this.#deps.now();
    const entry: LeaseEntry = {
      leaseId: `${path}/${randomId(this.#random)}`,
      path,
      mountUuid: input.mountUuid,
      type: input.type,
      internal: input.internal,
      issueTime: now,
      expireTime: now + ttl * 1000,
      ttl,
      creationTTL: ttl,
      maxExpireTime: now + maxTTL * 1000,
      renewable: input.renewable,
      tokenHash: input.tokenHash,
      revokeAttempts: 0,
      irrevocable: false,
    };
    const prefix = this.#deps.storage.prefix;
    const ops: StorageOp[] = [{ op: 'put', key: prefix + leaseKey(entry.leaseId), value: encode(entry) }];
    const idx = indexKey(entry);
    if (idx) ops.push({ op: 'put', key: prefix + idx, value: Buffer.from(entry.leaseId, 'utf8') });
    for (const key of opts.alsoDelete ?? []) ops.push({ op: 'delete', key });
    await this.#deps.barrier.batch(ops);
    this.#schedule(entry.leaseId, entry.expireTime, entry.mountUuid, false);
    return entry;
  }

  // ---- renew --------------------------------------------------------------------------------

  /**
   * Vault's rules: increment 0 → the lease's original TTL; new expiry = min(now + increment,
   * max expiry, now + mount max); the backend may grant less. 400 when unknown, expired, being
   * revoked or not renewable.
   */
  async renew(leaseId: string, increment: number): Promise<RenewResult> {
    this.#assertLoaded();
    if (!Number.isFinite(increment) || increment < 0)
      throw new BadRequestError('increment must be a non-negative number of seconds');
    const entry = await this.#read(leaseId);
    if (!entry) throw new BadRequestError('lease not found');
    const now = this.#deps.now();
    if (entry.irrevocable || this.#inflight.has(leaseId) || entry.revokeAttempts > 0)
      throw new BadRequestError('lease is being revoked');
    if (entry.expireTime <= now) throw new BadRequestError('lease expired');
    if (!entry.renewable) throw new BadRequestError('lease is not renewable');
    const requested = increment > 0 ? Math.floor(increment) : entry.creationTTL;
    const mountMax = mountMaxTTL(this.#deps.limits(entry.mountUuid));
    let expire = Math.min(now + requested * 1000, entry.maxExpireTime, now + mountMax * 1000);
    let granted = Math.floor((expire - now) / 1000);
    const warnings: string[] = [];
    if (granted < requested)
      warnings.push(
        `TTL of "${requested}s" exceeded the effective max_ttl of "${granted}s"; TTL value is capped accordingly`,
      );
    const res = await this.#deps.renewSecret(entry, granted);
    if (!res) throw new BadRequestError('lease is not renewable');
    if (Number.isFinite(res.ttl) && res.ttl > 0 && res.ttl < granted) {
      granted = Math.floor(res.ttl);
      expire = now + granted * 1000;
    }
    entry.expireTime = expire;
    entry.ttl = granted;
    entry.lastRenewal = now;
    await this.#deps.storage.put(leaseKey(leaseId), encode(entry));
    if (this.#loaded) this.#schedule(leaseId, expire, entry.mountUuid, false);
    return { lease: entry, ttl: granted, warnings };
  }

  // ---- revoke -------------------------------------------------------------------------------

  /**
   * sync (default): calls the backend now and throws (500) when it fails — the lease then stays,
   * retried with backoff. async: marks it due now (persisted) and returns. Unknown ids: no-op.
   */
  async revoke(leaseId: string, opts: { sync?: boolean } = {}): Promise<void> {
    this.#assertLoaded();
    if (opts.sync === false) {
      await this.#markDue(leaseId);
      return;
    }
    const out = await this.#attempt(leaseId, false);
    if (!out.ok) throw new InternalError(`failed to revoke lease ${leaseId}`, { cause: out.error });
  }

  /** Revokes every lease whose id starts with `prefix/`. Returns how many. */
  async revokePrefix(prefix: string, opts: { sync?: boolean } = {}): Promise<number> {
    this.#assertLoaded();
    const ids = this.#idsUnder(prefix);
    await this.#revokeMany(ids, opts.sync !== false);
    return ids.length;
  }

  /** All leases of a token (the token store's revoke hook). async by default. Returns how many. */
  async revokeByToken(tokenHash: string, opts: { sync?: boolean } = {}): Promise<number> {
    this.#assertLoaded();
    if (tokenHash === '' || !/^[A-Za-z0-9._-]+$/.test(tokenHash)) return 0;
    const ids: string[] = [];
    for (const suffix of await this.#deps.storage.list(`token/${tokenHash}/`)) {
      if (suffix.endsWith('/')) continue;
      const raw = await this.#deps.storage.get(`token/${tokenHash}/${suffix}`);
      if (raw) ids.push(raw.toString('utf8'));
    }
    await this.#revokeMany(ids, opts.sync === true);
    return ids.length;
  }

  /**
   * Removes every lease under `prefix/` WITHOUT calling the backend (for secrets that can never be
   * revoked). Logged as a warning with the ids; returns the ids removed.
   */
  async revokeForce(prefix: string): Promise<string[]> {
    this.#assertLoaded();
    const ids = this.#idsUnder(prefix);
    for (const id of ids) {
      this.#pending.delete(id);
      const entry = await this.#read(id);
      await this.#deps.storage.batch(deleteOps(id, entry));
    }
    if (ids.length > 0) this.#arm();
    this.#deps.logger.warn('expiration: leases force-removed without revocation', {
      prefix,
      count: ids.length,
      lease_ids: ids.length > 100 ? [...ids.slice(0, 100), `… and ${ids.length - 100} more`] : ids,
    });
    return ids;
  }

  // ---- reads --------------------------------------------------------------------------------

  /** Vault's lookup shape, or undefined when there is no such lease. */
  async lookup(leaseId: string): Promise<Record<string, unknown> | undefined> {
    this.#assertLoaded();
    const entry = await this.#read(leaseId);
    return entry && lookupJSON(entry, this.#deps.now());
  }

  /** The whole stored entry (internal data included): for core, never for clients. */
  async get(leaseId: string): Promise<LeaseEntry | undefined> {
    this.#assertLoaded();
    return this.#read(leaseId);
  }

  /** One level below `prefix` (lease ids and `folder/`s), for LIST sys/leases/lookup/:prefix. */
  async list(prefix: string): Promise<string[]> {
    this.#assertLoaded();
    const p = prefix.replace(/^\/+|\/+$/g, '');
    return this.#deps.storage.list(p === '' ? 'id/' : `${leaseKey(cleanPath(p, 'prefix'))}/`);
  }

  /** `{ lease_count, counts: { <mount uuid>: n } }` of all leases, or of the irrevocable ones. */
  count(opts: { type?: 'irrevocable' | ''; include_child_namespaces?: boolean } = {}): {
    lease_count: number;
    counts: Record<string, number>;
  } {
    this.#assertLoaded();
    const counts: Record<string, number> = {};
    let total = 0;
    for (const p of this.#pending.values()) {
      if (opts.type === 'irrevocable' && !p.irrevocable) continue;
      counts[p.mountUuid] = (counts[p.mountUuid] ?? 0) + 1;
      total++;
    }
    return { lease_count: total, counts };
  }

  /** Irrevocable leases, sorted by id, at most `limit` (default 10,000; Infinity for all). */
  async irrevocable(opts: { limit?: number } = {}): Promise<{
    leases: Record<string, unknown>[];
    lease_count: number;
    total: number;
  }> {
    this.#assertLoaded();
    const limit = opts.limit ?? 10_000;
    const ids = [...this.#pending.entries()]
      .filter(([, p]) => p.irrevocable)
      .map(([id]) => id)
      .sort();
    const leases: Record<string, unknown>[] = [];
    for (const id of ids.slice(0, limit)) {
      const e = await this.#read(id);
      if (e) leases.push(irrevocableJSON(e));
    }
    return { leases, lease_count: leases.length, total: ids.length };
  }

  /**
   * Conservative cleanup: deletes token-index entries that point at no lease (or at a lease of
   * another token), re-creates missing index entries of leases, and — only when deps.tokenExists
   * is given — queues for (normal, backend) revocation the leases whose token is gone. It never
   * deletes a lease itself.
   */
  async tidy(): Promise<TidyResult> {
    this.#assertLoaded();
    const epoch = this.#epoch;
    const s = this.#deps.storage;
    const out: TidyResult = { indexRemoved: 0, indexRepaired: 0, orphansRevoked: 0 };
    for (const key of await s.listAll('token/')) {
      const raw = await s.get(key);
      const leaseId = raw?.toString('utf8');
      const entry = leaseId ? await this.#read(leaseId) : undefined;
      if (!entry || indexKey(entry) !== key) {
        await s.delete(key);
        out.indexRemoved++;
      }
    }
    const tokenAlive = new Map<string, boolean>();
    for (const id of [...this.#pending.keys()]) {
      if (epoch !== this.#epoch) break;
      if (this.#inflight.has(id)) continue;
      const entry = await this.#read(id);
      const idx = entry && indexKey(entry);
      if (!entry || !idx) continue;
      if (!(await s.has(idx))) {
        await s.put(idx, Buffer.from(id, 'utf8'));
        out.indexRepaired++;
      }
      if (this.#deps.tokenExists && !entry.irrevocable) {
        let alive = tokenAlive.get(entry.tokenHash);
        if (alive === undefined) {
          alive = await this.#deps.tokenExists(entry.tokenHash);
          tokenAlive.set(entry.tokenHash, alive);
        }
        if (!alive && (await this.#markDue(id))) out.orphansRevoked++;
      }
    }
    this.#deps.logger.info('expiration: tidy done', { ...out });
    return out;
  }

  // ---- internals ----------------------------------------------------------------------------

  #assertLoaded(): void {
    if (!this.#loaded) throw new SealedError();
  }

  #read(leaseId: string): Promise<LeaseEntry | undefined> {
    if (
      leaseId === '' ||
      leaseId.startsWith('/') ||
      leaseId.split('/').some((s) => s === '' || s === '.' || s === '..')
    )
      return Promise.resolve(undefined);
    return this.#deps.storage.getJSON<LeaseEntry>(leaseKey(leaseId));
  }

  #idsUnder(prefix: string): string[] {
    const p = `${cleanPath(prefix, 'prefix')}/`;
    return [...this.#pending.keys()].filter((id) => id.startsWith(p)).sort();
  }

  async #revokeMany(ids: string[], sync: boolean): Promise<void> {
    if (!sync) {
      for (const id of ids) await this.#markDue(id);
      return;
    }
    const outs = await Promise.all(ids.map((id) => this.#attempt(id, true)));
    const failed = outs.filter((o) => !o.ok).length;
    if (failed > 0)
      throw new InternalError(`failed to revoke ${failed} of ${ids.length} leases; they are retried`, {
        cause: outs.find((o): o is { ok: false; error: unknown } => !o.ok)?.error,
      });
  }

  /** Makes a lease due now (persisted, so a restart revokes it too). False when unknown. */
  async #markDue(leaseId: string): Promise<boolean> {
    const entry = await this.#read(leaseId);
    if (!entry) return false;
    const now = this.#deps.now();
    entry.expireTime = Math.min(entry.expireTime, now);
    if (entry.nextAttempt !== undefined) entry.nextAttempt = now;
    await this.#deps.storage.put(leaseKey(leaseId), encode(entry));
    if (this.#loaded && !this.#inflight.has(leaseId))
      this.#schedule(leaseId, now, entry.mountUuid, entry.irrevocable);
    return true;
  }

  #schedule(id: string, due: number, mountUuid: string, irrevocable: boolean): void {
    this.#pending.set(id, { due, mountUuid, irrevocable });
    this.#heap.push({ due, id });
    if (this.#heap.size > 2 * this.#pending.size + 1024) {
      this.#heap = MinHeap.from([...this.#pending.entries()].map(([i, p]) => ({ due: p.due, id: i })));
    }
    this.#arm();
  }

  /** One revocation of a lease at a time; concurrent callers share it. Never rejects. */
  #attempt(id: string, limited: boolean): Promise<Outcome> {
    const existing = this.#inflight.get(id);
    if (existing) return existing;
    const epoch = this.#epoch;
    const run = (
      limited ? this.#limit(() => this.#revokeNow(id, epoch)) : this.#revokeNow(id, epoch)
    ).finally(() => {
      if (this.#inflight.get(id) === run) this.#inflight.delete(id);
      if (epoch !== this.#epoch) return;
      // A failed attempt rescheduled the lease while it was in flight, and #arm drops heap
      // entries of in-flight leases: put it back so its retry is not lost.
      const p = this.#pending.get(id);
      if (p) this.#heap.push({ due: p.due, id });
      this.#arm();
    });
    this.#inflight.set(id, run);
    return run;
  }

  async #revokeNow(id: string, epoch: number): Promise<Outcome> {
    let entry: LeaseEntry | undefined;
    try {
      entry = await this.#read(id);
    } catch (err) {
      this.#deps.logger.error('expiration: cannot read lease', { lease_id: id, error: err });
      if (epoch === this.#epoch && this.#pending.has(id)) {
        const p = this.#pending.get(id)!;
        this.#schedule(id, this.#deps.now() + this.#backoff(1), p.mountUuid, p.irrevocable);
      }
      return { ok: false, error: err };
    }
    if (!entry) {
      if (epoch === this.#epoch) this.#pending.delete(id);
      return { ok: true };
    }
    try {
      await this.#deps.revokeSecret(entry);
      await this.#deps.storage.batch(deleteOps(id, entry));
    } catch (err) {
      return this.#failed(entry, err, epoch);
    }
    if (epoch === this.#epoch) this.#pending.delete(id);
    this.#deps.logger.debug('expiration: lease revoked', { lease_id: id });
    return { ok: true };
  }

  async #failed(entry: LeaseEntry, err: unknown, epoch: number): Promise<Outcome> {
    const now = this.#deps.now();
    entry.revokeAttempts += 1;
    entry.lastError = (err instanceof Error ? err.message : String(err)).slice(0, 500) || 'revocation failed';
    if (!entry.irrevocable && entry.revokeAttempts >= this.#opts.maxAttempts) {
      entry.irrevocable = true;
      this.#deps.logger.error('expiration: lease is irrevocable; retried daily', {
        lease_id: entry.leaseId,
        attempts: entry.revokeAttempts,
        error: entry.lastError,
      });
    } else {
      this.#deps.logger.warn('expiration: lease revocation failed; will retry', {
        lease_id: entry.leaseId,
        attempts: entry.revokeAttempts,
        error: entry.lastError,
      });
    }
    entry.nextAttempt =
      now + (entry.irrevocable ? this.#opts.irrevocableRetryMs : this.#backoff(entry.revokeAttempts));
    // A force-revoke may have removed the lease meanwhile: don't write it back.
    if (epoch !== this.#epoch || !this.#pending.has(entry.leaseId)) return { ok: false, error: err };
    try {
      await this.#deps.storage.put(leaseKey(entry.leaseId), encode(entry));
    } catch (putErr) {
      this.#deps.logger.error('expiration: cannot persist revocation failure', {
        lease_id: entry.leaseId,
        error: putErr,
      });
    }
    if (epoch === this.#epoch && this.#pending.has(entry.leaseId))
      this.#schedule(entry.leaseId, entry.nextAttempt, entry.mountUuid, entry.irrevocable);
    return { ok: false, error: err };
  }

  /** base·2^(n−1), capped, ±jitter. */
  #backoff(attempt: number): number {
    const o = this.#opts;
    const d = Math.min(o.backoffBaseMs * 2 ** Math.min(attempt - 1, 40), o.backoffCapMs);
    const r = this.#random(4).readUInt32BE(0) / 0x1_0000_0000;
    return Math.max(0, Math.round(d * (1 + o.jitter * (2 * r - 1))));
  }

  async #limit<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#opts.concurrency) await new Promise<void>((r) => this.#waiting.push(r));
    this.#active++;
    try {
      return await fn();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  /** Arms the one timer for the earliest valid due time (at most maxTimerMs away). */
  #arm(): void {
    if (!this.#opts.timers || !this.#loaded) return;
    let top = this.#heap.peek();
    while (top) {
      const p = this.#pending.get(top.id);
      if (p && p.due === top.due && !this.#inflight.has(top.id)) break;
      this.#heap.pop();
      top = this.#heap.peek();
    }
    if (!top) {
      this.#clearTimer();
      return;
    }
    const now = this.#deps.now();
    const at = Math.min(Math.max(top.due, now), now + this.#opts.maxTimerMs);
    if (this.#timer && this.#timerAt <= at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      if (this.#loaded) this.#runDue();
    }, at - now);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}

function encode(entry: LeaseEntry): Buffer {
  return Buffer.from(JSON.stringify(entry), 'utf8');
}

function deleteOps(id: string, entry: LeaseEntry | undefined): StorageOp[] {
  const ops: StorageOp[] = [{ op: 'delete', key: leaseKey(id) }];
  const idx = entry && indexKey(entry);
  if (idx) ops.push({ op: 'delete', key: idx });
  return ops;
}
