import {
  CofferError,
  NotInitializedError,
  PermissionDeniedError,
  SealedError,
  UnsupportedPathError,
} from '../sdk/errors.ts';
import type { Backend } from '../sdk/framework/backend.ts';
import { createBackend } from '../sdk/framework/backend.ts';
import type { Logger } from '../sdk/logger.ts';
import type { Request, Response } from '../sdk/request.ts';
import { StorageView } from '../sdk/storage-view.ts';
import { realSystemView, type SystemView } from '../sdk/system.ts';
import type { Storage } from '../storage/storage.ts';
import { Barrier } from './barrier/barrier.ts';
import { type MountEntry, type MountKind, MountTable } from './router/mount-table.ts';
import { type BackendRegistry, Router } from './router/router.ts';
import { SealManager } from './seal/seal.ts';
import { helpFor, helpResponse } from './system/help.ts';
import { systemDefinition } from './system/system.ts';
import { type TokenEntry, TokenStore } from './tokens/token-store.ts';

export const VERSION = '0.1.0';

export interface CoreOptions {
  physical: Storage;
  /** Reported in seal-status (`inmem`, `sqlite`, ...). */
  storageType: string;
  /** Secrets engine types (kv, ...). */
  registry: BackendRegistry;
  /** Auth method types (userpass, approle, ...). */
  authRegistry?: BackendRegistry;
  logger: Logger;
  system?: Partial<SystemView>;
  /** Server-wide lease TTLs in seconds (config `default_lease_ttl`, `max_lease_ttl`). */
  defaultLeaseTTL?: number;
  maxLeaseTTL?: number;
}

/**
 * The core: one function from a Request to a Response. It never sees HTTP.
 * sealed? → token → (ACL, next issue) → router → backend.
 */
export class Core {
  readonly logger: Logger;
  readonly barrier: Barrier;
  readonly seal: SealManager;
  readonly mounts: MountTable;
  readonly router: Router;
  readonly tokens: TokenStore;
  readonly storageType: string;
  readonly system: SystemView;
  readonly defaultLeaseTTL: number;
  readonly maxLeaseTTL: number;
  readonly #sys: Backend;
  readonly #secretTypes: ReadonlySet<string>;
  readonly #authTypes: ReadonlySet<string>;
  /** True once the barrier is unsealed AND mounts/tokens are loaded. */
  #ready = false;
  /** Serializes unseal / seal transitions. */
  #transition: Promise<unknown> = Promise.resolve();

  constructor(opts: CoreOptions) {
    this.logger = opts.logger;
    this.storageType = opts.storageType;
    this.system = realSystemView(opts.system);
    this.defaultLeaseTTL = opts.defaultLeaseTTL ?? this.system.defaultLeaseTTL();
    this.maxLeaseTTL = opts.maxLeaseTTL ?? this.system.maxLeaseTTL();
    this.barrier = new Barrier(opts.physical);
    this.seal = new SealManager({
      physical: opts.physical,
      barrier: this.barrier,
      storageType: opts.storageType,
      version: VERSION,
    });
    this.mounts = new MountTable(new StorageView(this.barrier, ''));
    this.tokens = new TokenStore(new StorageView(this.barrier, 'sys/token/'));
    const sysEntry = Core.#sysEntry();
    this.#sys = createBackend(systemDefinition(this), {
      storage: new StorageView(this.barrier, 'sys/data/'),
      system: this.system,
      logger: this.logger.child({ mount: 'sys/' }),
      mount: sysEntry,
    });
    this.#secretTypes = new Set(opts.registry.keys());
    this.#authTypes = new Set(opts.authRegistry?.keys() ?? []);
    const registry = new Map([...opts.registry, ...(opts.authRegistry ?? [])]);
    registry.set('system', () => this.#sys);
    this.router = new Router({
      table: this.mounts,
      registry,
      barrier: this.barrier,
      system: (entry) => this.mountSystemView(entry),
      logger: this.logger,
    });
  }

  static #sysEntry(): MountEntry {
    return {
      path: 'sys/',
      type: 'system',
      description: 'system endpoints used for control, policy and debugging',
      accessor: 'system_00000000',
      uuid: '00000000-0000-0000-0000-000000000000',
      options: {},
      config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
      local: false,
      seal_wrap: true,
      builtin: true,
    };
  }

  /** TTL limits as a mount sees them: its tuned values, else the server's. */
  mountSystemView(entry: MountEntry): SystemView {
    return {
      ...this.system,
      defaultLeaseTTL: () => entry.config.default_lease_ttl || this.defaultLeaseTTL,
      maxLeaseTTL: () => entry.config.max_lease_ttl || this.maxLeaseTTL,
    };
  }

  /** Whether a user may enable a mount of this type in this table. */
  canMount(type: string, kind: MountKind): boolean {
    return kind === 'secret' ? this.#secretTypes.has(type) : this.#authTypes.has(type);
  }

  /** Checks an auth mount's `user_lockout_config` (tune). */
  validateLockoutConfig(raw: Record<string, unknown>): Record<string, unknown> {
    return raw;
  }

  /** After a mount is disabled: tokens issued through an auth mount are revoked. */
  async onUnmounted(_entry: MountEntry): Promise<void> {}

  get ready(): boolean {
    return this.#ready;
  }

  /** Initializes the seal and creates the first root token; leaves the server sealed. */
  async initialize(params: { secret_shares: number; secret_threshold: number }): Promise<{
    keys: Buffer[];
    rootToken: string;
  }> {
    return this.#serialized(async () => {
      const { shares, rootKey } = await this.seal.initialize(params);
      try {
        await this.barrier.unseal(rootKey);
      } finally {
        rootKey.fill(0);
      }
      try {
        await this.#setUp({ quiet: true });
        const { id } = await this.tokens.createRoot();
        return { keys: shares, rootToken: id };
      } finally {
        await this.#tearDown();
        this.barrier.seal();
      }
    });
  }

  /** Submits one unseal key share; sets the server up once the threshold is reached. */
  async submitUnsealKey(key: string | Buffer) {
    return this.#serialized(async () => {
      const status = await this.seal.submitUnsealKey(key);
      if (!status.sealed && !this.#ready) await this.#setUp();
      return status;
    });
  }

  async sealNow(): Promise<void> {
    await this.#serialized(async () => {
      await this.#tearDown();
      await this.seal.seal();
    });
  }

  /** For `-dev`: initialize with one share, unseal, and return the root token (optionally with a given id). */
  async initDev(rootTokenId?: string): Promise<{ rootToken: string; unsealKey: Buffer }> {
    const { keys, rootToken } = await this.initialize({ secret_shares: 1, secret_threshold: 1 });
    await this.submitUnsealKey(keys[0]!);
    let token = rootToken;
    if (rootTokenId !== undefined && rootTokenId !== '') {
      await this.tokens.revoke(rootToken);
      token = (await this.tokens.createRoot(rootTokenId)).id;
    }
    return { rootToken: token, unsealKey: keys[0]! };
  }

  async close(): Promise<void> {
    await this.sealNow().catch(() => {});
  }

  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#transition.then(fn, fn);
    this.#transition = run.catch(() => {});
    return run;
  }

  async #setUp(opts: { quiet?: boolean } = {}): Promise<void> {
    await this.tokens.load();
    await this.mounts.load(() => [Core.#sysEntry()]);
    await this.router.mountAll();
    this.#ready = true;
    if (!opts.quiet)
      this.logger.info('core: unsealed and ready', { mounts: this.mounts.all().map((m) => m.path) });
  }

  async #tearDown(): Promise<void> {
    if (!this.#ready && this.barrier.sealed) return;
    this.#ready = false;
    await this.router.unmountAll();
    this.mounts.clear();
    this.tokens.unload();
  }

  /** Runs one request through the pipeline. Throws catalog errors; the edge maps them. */
  async handle(req: Request): Promise<Response> {
    // The few sys paths that work without a token (and mostly while sealed).
    const sysMatch =
      req.path === 'sys' || req.path.startsWith('sys/') ? this.#sys.match(req.path.slice(4)) : undefined;
    if (sysMatch?.path.unauthenticated?.includes(req.operation)) {
      req.mountPoint = 'sys/';
      req.mountPath = req.path.slice(4);
      if (req.help) return helpFor('sys/', this.#sys, req.mountPath);
      return this.#sys.handle(req);
    }
    if (!this.#ready) {
      if (!(await this.seal.isInitialized())) throw new NotInitializedError();
      throw new SealedError();
    }
    const token = await this.tokens.lookup(req.clientToken);
    if (!token) throw new PermissionDeniedError();
    const route = this.router.route(req.path);
    if (!route) throw new UnsupportedPathError(`no handler for route "${req.path}"`);
    req.mountPoint = route.entry.path;
    req.mountPath = route.mountPath;
    if (req.help) {
      this.#authorize(token, req);
      return helpResponse(this, req);
    }
    if (req.operation === 'update' && (await route.backend.exists(req)) === false) req.operation = 'create';
    this.#authorize(token, req);
    try {
      const res = await route.backend.handle(req);
      if (res.data !== undefined && res.raw === undefined)
        res.envelope = { mount_type: route.entry.type, ...res.envelope };
      return res;
    } catch (err) {
      if (!(err instanceof CofferError)) {
        this.logger.error('core: handler failed', { path: req.path, mount: route.entry.path, err });
      }
      throw err;
    }
  }

  /** Until ACL policies land (next issue), only root tokens exist and may do everything. */
  #authorize(token: TokenEntry, _req: Request): void {
    if (!token.policies.includes('root')) throw new PermissionDeniedError();
  }
}
