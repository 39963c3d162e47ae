/** An in-memory database and plugin for tests: records calls, injects failures. */
import type {
  DatabasePlugin,
  DeleteUserRequest,
  NewUserRequest,
  PluginConfig,
  UpdateUserRequest,
} from './plugin.ts';

export interface FakeUser {
  password: string;
  expiration?: Date;
}

type Method = 'initialize' | 'newUser' | 'updateUser' | 'deleteUser';

/** The "server": shared by every plugin instance made from it (survives a new factory). */
export class FakeDatabase {
  readonly users = new Map<string, FakeUser>();
  readonly calls: { method: Method; username?: string }[] = [];
  reachable = true;
  /** newUser calls running now across every plugin instance, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** When set, `initialize` with verify checks this user's password. */
  rootUser: string | undefined;
  readonly #failures: { method: Method; err: Error; after: boolean }[] = [];

  constructor(root?: { username: string; password: string }) {
    if (root) {
      this.rootUser = root.username;
      this.users.set(root.username, { password: root.password });
    }
  }

  /**
   * The next call of `method` fails with `err`. With `after`, the change is made first and the
   * reply is lost (the crash-after-commit case).
   */
  failNext(
    method: Method,
    err: Error = new Error('injected failure'),
    opts: { times?: number; after?: boolean } = {},
  ): void {
    for (let i = 0; i < (opts.times ?? 1); i++)
      this.#failures.push({ method, err, after: opts.after ?? false });
  }

  /** Used by the plugin: throws an injected failure (before or after `change`). */
  async call(method: Method, username: string | undefined, change: () => void): Promise<void> {
    this.calls.push(username === undefined ? { method } : { method, username });
    await Promise.resolve();
    if (!this.reachable) throw new Error('connect ECONNREFUSED');
    const i = this.#failures.findIndex((f) => f.method === method);
    const failure = i >= 0 ? this.#failures.splice(i, 1)[0] : undefined;
    if (failure && !failure.after) throw failure.err;
    change();
    if (failure) throw failure.err;
  }

  canLogin(username: string, password: string): boolean {
    return this.users.get(username)?.password === password;
  }

  /** A plugin factory bound to this database. */
  factory(opts: { maxUsernameLength?: number; maxConcurrentCreates?: number } = {}): () => FakePlugin {
    return () => new FakePlugin(this, opts);
  }
}

/** A retryable error, as a plugin marks a transient failure (deadlock, serialization). */
export function retryableError(message = 'deadlock detected'): Error {
  return Object.assign(new Error(message), { retryable: true });
}

export class FakePlugin implements DatabasePlugin {
  readonly name = 'fake-database-plugin';
  readonly maxUsernameLength: number;
  readonly maxConcurrentCreates?: number;
  readonly db: FakeDatabase;
  config: PluginConfig | undefined;
  closed = false;

  constructor(db: FakeDatabase, opts: { maxUsernameLength?: number; maxConcurrentCreates?: number } = {}) {
    this.db = db;
    this.maxUsernameLength = opts.maxUsernameLength ?? 63;
    if (opts.maxConcurrentCreates !== undefined) this.maxConcurrentCreates = opts.maxConcurrentCreates;
  }

  initialize(config: PluginConfig, opts: { verifyConnection: boolean }): Promise<void> {
    return this.db.call('initialize', undefined, () => {
      if (opts.verifyConnection && this.db.rootUser !== undefined) {
        if (
          config.username !== this.db.rootUser ||
          !this.db.canLogin(this.db.rootUser, String(config.password))
        )
          throw new Error('password authentication failed');
      }
      this.config = config;
      this.closed = false;
    });
  }

  async newUser(req: NewUserRequest): Promise<void> {
    this.#open();
    this.db.inFlight++;
    this.db.maxInFlight = Math.max(this.db.maxInFlight, this.db.inFlight);
    try {
      await new Promise((r) => setImmediate(r));
      await this.db.call('newUser', req.username, () => {
        if (this.db.users.has(req.username)) throw new Error('role already exists');
        this.db.users.set(req.username, { password: req.password, expiration: req.expiration });
      });
    } finally {
      this.db.inFlight--;
    }
  }

  updateUser(req: UpdateUserRequest): Promise<void> {
    this.#open();
    return this.db.call('updateUser', req.username, () => {
      const user = this.db.users.get(req.username);
      if (!user) throw new Error('role does not exist');
      if (req.password !== undefined) user.password = req.password;
      if (req.expiration !== undefined) user.expiration = req.expiration;
    });
  }

  deleteUser(req: DeleteUserRequest): Promise<void> {
    this.#open();
    return this.db.call('deleteUser', req.username, () => {
      this.db.users.delete(req.username);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  #open(): void {
    if (!this.config || this.closed) throw new Error('plugin is not initialized');
  }
}
