import { createHash } from 'node:crypto';
import { InvalidCredentialsError, PermissionDeniedError } from '../../sdk/errors.ts';
import type { Logger } from '../../sdk/logger.ts';
import type { StorageView } from '../../sdk/storage-view.ts';
import type { LockoutConfig } from './config.ts';

/** What is known of one (mount, alias) with failed logins. Times in epoch ms. */
interface Entry {
  mount_accessor: string;
  alias: string;
  failed_login_attempts: number;
  last_failed_login_time: number;
  /** When the failures stop counting. */
  reset_at: number;
  /** 0 = not locked. */
  locked_until: number;
  /** Whether a record of this lock is in storage. */
  persisted?: boolean;
}

export interface LockedUser {
  mount_accessor: string;
  alias: string;
  failed_login_attempts: number;
  /** epoch ms */
  last_failed_login_time?: number;
  /** epoch ms */
  locked_until: number;
}

export interface LockoutDeps {
  /** epoch ms */
  now(): number;
  /** Where locks are kept across restarts (a view of its own behind the barrier, e.g. `sys/lockout/`). */
  storage?: StorageView;
  logger?: Logger;
  /** Bound on tracked aliases (unknown usernames are tracked too); locked ones are never dropped. */
  maxEntries?: number;
}

const mapKey = (mount: string, alias: string) => `${mount}\0${alias}`;
/** Storage keys are digests: an alias may be an AppRole role id, which is half a credential. */
const storageKey = (mount: string, alias: string) =>
  createHash('sha256').update(mapKey(mount, alias)).digest('hex');

/**
 * Vault's user lockout: after `lockout_threshold` failed logins within `lockout_counter_reset`,
 * the alias (username, role id) of that auth mount is locked for `lockout_duration`, and core
 * refuses its logins without running them. A success clears the count. Failure counts live in
 * memory; locks are also written to storage, so they survive a restart (call `load()` after unseal).
 */
export class LockoutManager {
  readonly #deps: LockoutDeps;
  readonly #entries = new Map<string, Entry>();
  #writes: Promise<void> = Promise.resolve();

  constructor(deps: LockoutDeps) {
    this.#deps = deps;
  }

  /** Restores persisted locks; drops the expired ones. */
  async load(): Promise<void> {
    const storage = this.#deps.storage;
    if (!storage) return;
    const now = this.#deps.now();
    for (const key of await storage.list('')) {
      if (key.endsWith('/')) continue;
      const e = await storage.getJSON<Entry>(key);
      if (!e) continue;
      if (e.locked_until <= now) {
        await storage.delete(key);
        continue;
      }
      this.#entries.set(mapKey(e.mount_accessor, e.alias), { ...e, persisted: true });
    }
  }

  /** Waits for pending storage writes (tests, seal). */
  flush(): Promise<void> {
    return this.#writes;
  }

  /** Forgets everything in memory (seal). */
  clear(): void {
    this.#entries.clear();
  }

  isLocked(mountAccessor: string, alias: string): boolean {
    const e = this.#live(mountAccessor, alias);
    return e !== undefined && e.locked_until > 0;
  }

  /** Counts a failed login (core calls it on InvalidCredentialsError). */
  recordFailure(mountAccessor: string, alias: string, config: LockoutConfig): void {
    if (config.disable_lockout || config.lockout_threshold <= 0) return;
    const now = this.#deps.now();
    const key = mapKey(mountAccessor, alias);
    let e = this.#live(mountAccessor, alias);
    if (e?.locked_until) return;
    if (!e || e.reset_at <= now) {
      e = {
        mount_accessor: mountAccessor,
        alias,
        failed_login_attempts: 0,
        last_failed_login_time: now,
        reset_at: now,
        locked_until: 0,
      };
    }
    e.failed_login_attempts++;
    e.last_failed_login_time = now;
    e.reset_at = now + config.lockout_counter_reset * 1000;
    if (e.failed_login_attempts >= config.lockout_threshold) {
      e.locked_until = now + config.lockout_duration * 1000;
      this.#persist(e);
    }
    this.#entries.delete(key);
    this.#entries.set(key, e);
    this.#bound();
  }

  /** A successful login clears the count. */
  recordSuccess(mountAccessor: string, alias: string): void {
    this.#remove(mapKey(mountAccessor, alias));
  }

  /** `sys/locked-users/:mount_accessor/unlock/:alias` */
  unlock(mountAccessor: string, alias: string): void {
    this.#remove(mapKey(mountAccessor, alias));
  }

  /**
   * Runs a login under lockout, as core should: a locked alias is refused with 403 "permission
   * denied" without running the login (Vault's answer; failures of unknown users count too, so
   * it reveals nothing about who exists); an InvalidCredentialsError counts as a failure; a login
   * that answers `auth` clears the count. `alias` undefined (no lookahead) or a disabled config:
   * the login just runs.
   */
  async guardLogin<T extends { auth?: unknown }>(
    mountAccessor: string,
    alias: string | undefined,
    config: LockoutConfig,
    run: () => Promise<T>,
  ): Promise<T> {
    if (alias === undefined || alias === '' || config.disable_lockout) return run();
    if (this.isLocked(mountAccessor, alias)) throw new PermissionDeniedError();
    let res: T;
    try {
      res = await run();
    } catch (err) {
      if (err instanceof InvalidCredentialsError) this.recordFailure(mountAccessor, alias, config);
      throw err;
    }
    if (res.auth !== undefined) this.recordSuccess(mountAccessor, alias);
    return res;
  }

  /** The aliases locked now. */
  list(): LockedUser[] {
    const out: LockedUser[] = [];
    for (const e of [...this.#entries.values()]) {
      const live = this.#live(e.mount_accessor, e.alias);
      if (!live?.locked_until) continue;
      out.push({
        mount_accessor: live.mount_accessor,
        alias: live.alias,
        failed_login_attempts: live.failed_login_attempts,
        last_failed_login_time: live.last_failed_login_time,
        locked_until: live.locked_until,
      });
    }
    return out;
  }

  /** The entry, after dropping it if its lock or its count has run out. */
  #live(mountAccessor: string, alias: string): Entry | undefined {
    const key = mapKey(mountAccessor, alias);
    const e = this.#entries.get(key);
    if (!e) return undefined;
    const now = this.#deps.now();
    const over = e.locked_until ? e.locked_until <= now : e.reset_at <= now;
    if (over) {
      this.#remove(key);
      return undefined;
    }
    return e;
  }

  #remove(key: string): void {
    const e = this.#entries.get(key);
    if (!e) return;
    this.#entries.delete(key);
    if (e.persisted) this.#write(storageKey(e.mount_accessor, e.alias), undefined);
  }

  #persist(e: Entry): void {
    if (!this.#deps.storage) return;
    e.persisted = true;
    const { persisted: _, ...record } = e;
    this.#write(storageKey(e.mount_accessor, e.alias), record);
  }

  #write(key: string, value: unknown): void {
    const storage = this.#deps.storage;
    if (!storage) return;
    this.#writes = this.#writes
      .then(() => (value === undefined ? storage.delete(key) : storage.putJSON(key, value)))
      .catch((err: unknown) => this.#deps.logger?.error('lockout: storage write failed', { err }));
  }

  /** Keeps memory bounded: drops unlocked entries, oldest first, past `maxEntries`. */
  #bound(): void {
    const max = this.#deps.maxEntries ?? 100_000;
    if (this.#entries.size <= max) return;
    for (const [key, e] of this.#entries) {
      if (this.#entries.size <= max) break;
      if (!e.locked_until) this.#entries.delete(key);
    }
  }

  /** Tracked entries, locked or not (tests). */
  get size(): number {
    return this.#entries.size;
  }
}
