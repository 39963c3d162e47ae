import {
  type BackendEnv,
  BadRequestError,
  type Logger,
  type StorageView,
  type SystemView,
} from '../../sdk/index.ts';
import { nextCron, parseCron } from './cron.ts';
import type { DatabasePlugin, NewUserRequest, PluginConfig, PluginFactory } from './plugin.ts';
import { isRetryable, KeyedMutex, Limiter } from './queue.ts';
import {
  type ConfigRecord,
  type IssuanceWal,
  json,
  keys,
  type RotationWal,
  type StaticRoleRecord,
} from './records.ts';

/** Timers, injected so the scheduler can be driven by tests. */
export interface Timers {
  setTimeout(fn: () => Promise<void>, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface EngineOptions {
  timers?: Timers;
  /** Waits between retries of a transient creation failure (default: a real sleep). */
  sleep?: (ms: number) => Promise<void>;
  /** Backoff of failed background work: base seconds (default 5), doubled per failure up to 1 h. */
  retryBaseSeconds?: number;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(() => void fn(), ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

const CREATE_ATTEMPTS = 5;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Pool {
  plugin: Promise<DatabasePlugin>;
  limiter: Limiter;
}

/**
 * The state of one database mount: a plugin pool per config, the queue in front of each, the
 * write-ahead records of rotations and creations, and ONE timer for background work (static
 * rotations and retries of WALs that could not be reconciled).
 */
export class DatabaseEngine {
  readonly storage: StorageView;
  readonly system: SystemView;
  readonly logger: Logger;
  readonly #plugins: ReadonlyMap<string, PluginFactory>;
  readonly #timers: Timers;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #retryBase: number;
  readonly #pools = new Map<string, Pool>();
  readonly #locks = new KeyedMutex();
  /** Background work by key (`static/<name>`, `wal/root/<name>`, `wal/creds/<id>`) → due ms. */
  readonly #due = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  #timer: unknown;
  #ticking: Promise<void> | undefined;
  #closed = false;

  constructor(env: BackendEnv, plugins: ReadonlyMap<string, PluginFactory>, opts: EngineOptions = {}) {
    this.storage = env.storage;
    this.system = env.system;
    this.logger = env.logger;
    this.#plugins = plugins;
    this.#timers = opts.timers ?? realTimers;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#retryBase = opts.retryBaseSeconds ?? 5;
  }

  now(): number {
    return this.system.now().getTime();
  }

  // --- plugins and pools -------------------------------------------------------------------

  makePlugin(pluginName: string): DatabasePlugin {
    const make = this.#plugins.get(pluginName);
    if (!make) throw new BadRequestError(`unknown plugin_name "${pluginName}"`);
    return make();
  }

  static pluginConfig(rec: ConfigRecord, password = rec.password): PluginConfig {
    const cfg: PluginConfig = {
      ...rec.connection_details,
      connection_url: String(rec.connection_details.connection_url ?? ''),
    };
    if (password !== undefined) cfg.password = password;
    return cfg;
  }

  /** A new, initialized plugin for a config record (not cached). */
  async open(rec: ConfigRecord, verify: boolean, password = rec.password): Promise<DatabasePlugin> {
    const plugin = this.makePlugin(rec.plugin_name);
    try {
      await plugin.initialize(DatabaseEngine.pluginConfig(rec, password), { verifyConnection: verify });
    } catch (err) {
      await plugin.close().catch(() => {});
      throw err;
    }
    return plugin;
  }

  /** Makes `plugin` the pool of config `name`, closing the one before. */
  async setPool(name: string, plugin: DatabasePlugin): Promise<void> {
    const old = this.#pools.get(name);
    this.#pools.set(name, {
      plugin: Promise.resolve(plugin),
      limiter: new Limiter(plugin.maxConcurrentCreates),
    });
    if (old) await closeQuietly(old.plugin);
  }

  async closePool(name: string): Promise<void> {
    const old = this.#pools.get(name);
    this.#pools.delete(name);
    if (old) await closeQuietly(old.plugin);
  }

  /** The pool of a config, opened on first use (after settling a pending root rotation). */
  async pool(name: string): Promise<{ plugin: DatabasePlugin; limiter: Limiter }> {
    let entry = this.#pools.get(name);
    if (!entry) {
      if (await this.storage.has(keys.rootWal(name))) await this.reconcileRoot(name);
      entry = this.#pools.get(name);
    }
    if (!entry) {
      const rec = await this.storage.getJSON<ConfigRecord>(keys.config(name));
      if (!rec) throw new BadRequestError(`no database config "${name}"`);
      const plugin = this.makePlugin(rec.plugin_name);
      const opened = plugin
        .initialize(DatabaseEngine.pluginConfig(rec), { verifyConnection: false })
        .then(() => plugin);
      entry = { plugin: opened, limiter: new Limiter(plugin.maxConcurrentCreates) };
      this.#pools.set(name, entry);
      opened.catch(() => {
        if (this.#pools.get(name) === entry) this.#pools.delete(name);
      });
    }
    return { plugin: await entry.plugin, limiter: entry.limiter };
  }

  // --- dynamic users -----------------------------------------------------------------------

  /**
   * Creates a user through the config's queue, retrying transient failures (err.retryable) up
   * to 5 times with jitter and deleting the half-made user between attempts.
   */
  async createUser(db: string, req: NewUserRequest, revocation: readonly string[]): Promise<void> {
    const { plugin, limiter } = await this.pool(db);
    for (let attempt = 1; ; attempt++) {
      try {
        await limiter.run(() => plugin.newUser(req));
        return;
      } catch (err) {
        await plugin.deleteUser({ username: req.username, statements: revocation }).catch((e: unknown) => {
          this.logger.warn('database: rollback of a failed creation failed', { db, error: e });
        });
        if (!isRetryable(err) || attempt >= CREATE_ATTEMPTS) throw err;
        const ms = Math.round(50 * 2 ** attempt * (0.5 + Math.random()));
        this.logger.info('database: retrying a transient creation failure', { db, attempt });
        await this.#sleep(ms);
      }
    }
  }

  /** Start-up: every issuance WAL left is a user created without a lease: drop it. */
  async reconcileCreds(id: string): Promise<void> {
    const key = keys.credsWal(id);
    const wal = await this.storage.getJSON<IssuanceWal>(key);
    if (!wal) return;
    const role = await this.storage.getJSON<{ revocation_statements: string[] }>(keys.role(wal.role));
    const { plugin } = await this.pool(wal.db);
    await plugin.deleteUser({ username: wal.username, statements: role?.revocation_statements ?? [] });
    await this.storage.delete(key);
    this.logger.info('database: dropped a user whose lease was never stored', { db: wal.db });
  }

  // --- root rotation -----------------------------------------------------------------------

  rotateRoot(name: string): Promise<void> {
    return this.#locks.run(`root/${name}`, async () => {
      if (await this.storage.has(keys.rootWal(name))) await this.#reconcileRootLocked(name);
      const rec = await this.storage.getJSON<ConfigRecord>(keys.config(name));
      if (!rec) throw new BadRequestError(`no database config "${name}"`);
      const username = rec.connection_details.username;
      if (typeof username !== 'string' || username === '')
        throw new BadRequestError('the config has no username to rotate');
      const password = await this.system.generatePassword(rec.password_policy || undefined);
      // Open the pool BEFORE writing the write-ahead record: pool() settles a pending record first,
      // which needs the lock this rotation holds.
      const { plugin, limiter } = await this.pool(name);
      await this.storage.putJSON(keys.rootWal(name), { password, created: this.now() } satisfies RotationWal);
      try {
        await limiter.run(() =>
          plugin.updateUser({ username, password, statements: rec.root_rotation_statements }),
        );
      } catch (err) {
        this.#failed(keys.rootWal(name), err);
        throw err;
      }
      await this.storage.batch([
        { op: 'put', key: keys.config(name), value: json({ ...rec, password }) },
        { op: 'delete', key: keys.rootWal(name) },
      ]);
      await this.closePool(name);
      this.logger.info('database: rotated the root credential', { db: name });
    });
  }

  reconcileRoot(name: string): Promise<void> {
    return this.#locks.run(`root/${name}`, () => this.#reconcileRootLocked(name));
  }

  /**
   * A root WAL means the database may hold either password. Connect with the new one, else the
   * stored one; set the new one (idempotent); store it and drop the WAL in one batch.
   */
  async #reconcileRootLocked(name: string): Promise<void> {
    const wal = await this.storage.getJSON<RotationWal>(keys.rootWal(name));
    if (!wal) return;
    const rec = await this.storage.getJSON<ConfigRecord>(keys.config(name));
    const username = rec?.connection_details.username;
    if (!rec || typeof username !== 'string') {
      await this.storage.delete(keys.rootWal(name));
      return;
    }
    let plugin: DatabasePlugin;
    try {
      plugin = await this.open(rec, true, wal.password);
    } catch {
      plugin = await this.open(rec, true, rec.password);
    }
    try {
      await plugin.updateUser({ username, password: wal.password, statements: rec.root_rotation_statements });
    } catch (err) {
      await plugin.close().catch(() => {});
      throw err;
    }
    await this.storage.batch([
      { op: 'put', key: keys.config(name), value: json({ ...rec, password: wal.password }) },
      { op: 'delete', key: keys.rootWal(name) },
    ]);
    await plugin.close().catch(() => {});
    await this.closePool(name);
    this.#succeeded(keys.rootWal(name));
    this.logger.info('database: completed an interrupted root rotation', { db: name });
  }

  // --- static roles ------------------------------------------------------------------------

  /** Sets a new password on a static role's user (WAL first; reuses a pending WAL's password). */
  rotateStatic(name: string): Promise<void> {
    return this.#locks.run(`static/${name}`, async () => {
      const role = await this.storage.getJSON<StaticRoleRecord>(keys.staticRole(name));
      if (!role) {
        await this.storage.delete(keys.staticWal(name));
        this.#due.delete(`static/${name}`);
        return;
      }
      try {
        let wal = await this.storage.getJSON<RotationWal>(keys.staticWal(name));
        if (!wal) {
          const cfg = await this.storage.getJSON<ConfigRecord>(keys.config(role.db_name));
          const password = await this.system.generatePassword(cfg?.password_policy || undefined);
          wal = { password, created: this.now() };
          await this.storage.putJSON(keys.staticWal(name), wal);
        }
        const password = wal.password;
        const { plugin, limiter } = await this.pool(role.db_name);
        await limiter.run(() =>
          plugin.updateUser({ username: role.username, password, statements: role.rotation_statements }),
        );
        const updated: StaticRoleRecord = { ...role, password, last_vault_rotation: this.now() };
        await this.storage.batch([
          { op: 'put', key: keys.staticRole(name), value: json(updated) },
          { op: 'delete', key: keys.staticWal(name) },
        ]);
        this.#failures.delete(`static/${name}`);
        this.scheduleStatic(name, updated);
      } catch (err) {
        this.#failed(`static/${name}`, err);
        throw err;
      }
    });
  }

  /** When a static role is next due (ms), from its period or schedule. */
  static nextRotation(role: StaticRoleRecord, now: number): number | undefined {
    if (role.rotation_period > 0) return role.last_vault_rotation + role.rotation_period * 1000;
    if (!role.rotation_schedule) return undefined;
    const s = parseCron(role.rotation_schedule);
    const next = nextCron(s, role.last_vault_rotation);
    if (next === undefined) return undefined;
    // Missed the window (the server was down): wait for the next scheduled time.
    if (role.rotation_window > 0 && now > next + role.rotation_window * 1000) return nextCron(s, now);
    return next;
  }

  scheduleStatic(name: string, role: StaticRoleRecord | undefined): void {
    const key = `static/${name}`;
    if (!role) {
      this.#due.delete(key);
      this.#failures.delete(key);
    } else if (!this.#failures.has(key)) {
      const next = DatabaseEngine.nextRotation(role, this.now());
      if (next === undefined) this.#due.delete(key);
      else this.#due.set(key, next);
    }
    this.#arm();
  }

  // --- the one timer -----------------------------------------------------------------------

  #failed(key: string, err: unknown): void {
    const n = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, n);
    const delay = Math.min(this.#retryBase * 2 ** (n - 1), 3600);
    this.#due.set(key, this.now() + delay * 1000);
    this.logger.error('database: background work failed, will retry', {
      key,
      attempt: n,
      retryIn: delay,
      error: err,
    });
    this.#arm();
  }

  #succeeded(key: string): void {
    this.#failures.delete(key);
    if (!key.startsWith('static/')) this.#due.delete(key);
  }

  /** Queues a start-up reconciliation that failed, for the timer. */
  retryLater(key: string, err: unknown): void {
    this.#failed(key, err);
  }

  /** Due times (ms) of pending background work, for tests and status. */
  pending(): ReadonlyMap<string, number> {
    return this.#due;
  }

  #arm(): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#due.size === 0) return;
    const next = Math.min(...this.#due.values());
    const ms = Math.min(Math.max(0, next - this.now()), MAX_TIMER_MS);
    this.#timer = this.#timers.setTimeout(() => this.tick(), ms);
  }

  /** Runs the background work that is due, one item at a time, then re-arms the timer. */
  tick(): Promise<void> {
    if (this.#ticking) return this.#ticking;
    this.#timer = undefined;
    this.#ticking = (async () => {
      const now = this.now();
      const due = [...this.#due].filter(([, at]) => at <= now).map(([k]) => k);
      for (const key of due) {
        if (this.#closed) return;
        try {
          if (key.startsWith('static/')) await this.rotateStatic(key.slice('static/'.length));
          else if (key.startsWith('wal/root/')) await this.reconcileRoot(key.slice('wal/root/'.length));
          else if (key.startsWith('wal/creds/')) {
            await this.reconcileCreds(key.slice('wal/creds/'.length));
            this.#succeeded(key);
          }
        } catch (err) {
          // rotateStatic records its own failure; the others are recorded here.
          if (!key.startsWith('static/')) this.#failed(key, err);
        }
      }
    })().finally(() => {
      this.#ticking = undefined;
      this.#arm();
    });
    return this.#ticking;
  }

  // --- start-up and shutdown -----------------------------------------------------------------

  /** Mount / unseal: settle every WAL left by a crash, then schedule the static roles. */
  async start(): Promise<void> {
    for (const name of await this.storage.list('wal/root/')) {
      await this.reconcileRoot(name).catch((err: unknown) => this.retryLater(keys.rootWal(name), err));
    }
    for (const name of await this.storage.list('wal/static/')) {
      await this.rotateStatic(name).catch(() => {}); // failure recorded and retried by the timer
    }
    for (const id of await this.storage.list('wal/creds/')) {
      await this.reconcileCreds(id).catch((err: unknown) => this.retryLater(keys.credsWal(id), err));
    }
    for (const name of await this.storage.list('static-role/')) {
      if (this.#due.has(`static/${name}`)) continue;
      this.scheduleStatic(name, await this.storage.getJSON<StaticRoleRecord>(keys.staticRole(name)));
    }
    this.#arm();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#ticking?.catch(() => {});
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => closeQuietly(p.plugin)));
  }
}

async function closeQuietly(p: Promise<DatabasePlugin>): Promise<void> {
  try {
    await (await p).close();
  } catch {
    // a pool that never opened, or a close that failed: nothing left to do
  }
}
