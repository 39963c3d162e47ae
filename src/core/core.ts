import { fileFactory } from '../audit/file/file.ts';
import { socketFactory } from '../audit/socket/socket.ts';
import { cubbyholeFactory, destroyCubbyhole } from '../engines/cubbyhole/index.ts';
import {
  asCofferError,
  CofferError,
  InternalError,
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
import { defaultPassword, realSystemView, type SystemView } from '../sdk/system.ts';
import type { Storage } from '../storage/storage.ts';
import { runLogin } from './access/login.ts';
import { AccessResolver } from './access/resolver.ts';
import { AuditBroker } from './audit/broker.ts';
import type { AuditInput } from './audit/entry.ts';
import { Barrier } from './barrier/barrier.ts';
import type { ReadCacheOptions } from './barrier/read-cache.ts';
import { ExpirationManager, type LeaseEntry } from './expiration/index.ts';
import { leaseInfo, registerIssuedSecret } from './expiration/issue.ts';
import { IdentityStore, identityBackendDefinition } from './identity/index.ts';
import { LockoutManager, parseUserLockoutConfig } from './lockout/index.ts';
import { PasswordPolicyStore } from './passwords/index.ts';
import { isSudoPath, PolicyStore } from './policy/index.ts';
import { builtinMounts } from './router/builtin-mounts.ts';
import { kindOf, type MountEntry, type MountKind, MountTable } from './router/mount-table.ts';
import { type BackendRegistry, type RouteMatch, Router } from './router/router.ts';
import { SealManager } from './seal/seal.ts';
import { helpFor, helpResponse } from './system/help.ts';
import { systemDefinition } from './system/system.ts';
import { type TokenEntry, tokenBackendDefinition } from './tokens/index.ts';
import { TokenStore } from './tokens/token-store.ts';
import {
  checkWrappingPolicy,
  isWrapped,
  mustWrap,
  parseWrapFormat,
  parseWrapTTL,
  type WrappingDeps,
  wrapResponse,
} from './wrapping/index.ts';
import { wrappingTokenDeps } from './wrapping/token-deps.ts';

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
  /** The barrier's read cache of decrypted values (default on; `false` = config `disable_cache`). */
  cache?: ReadCacheOptions | false;
}

/** sys paths that answer without a token while sealed (they check the seal state themselves). */
const SEALED_OK = new Set(['init', 'seal-status', 'unseal', 'health', 'rekey/init', 'rekey/update']);

/**
 * The core: one function from a Request to a Response. It never sees HTTP.
 * sealed? → token → ACL (before routing) → audit → router → login / wrapping → audit.
 */
export class Core {
  readonly logger: Logger;
  readonly barrier: Barrier;
  readonly seal: SealManager;
  readonly mounts: MountTable;
  readonly router: Router;
  readonly tokens: TokenStore;
  readonly policies: PolicyStore;
  readonly identity: IdentityStore;
  readonly audit: AuditBroker;
  readonly lockout: LockoutManager;
  readonly access: AccessResolver;
  readonly passwords: PasswordPolicyStore;
  readonly expiration: ExpirationManager;
  readonly storageType: string;
  readonly system: SystemView;
  readonly defaultLeaseTTL: number;
  readonly maxLeaseTTL: number;
  readonly #sys: Backend;
  /** Counts of leases revoked through token revocation, for callers that report them (revoke-entity). */
  readonly #leaseCounters = new Set<{ leases: number }>();
  readonly #secretTypes: ReadonlySet<string>;
  readonly #authTypes: ReadonlySet<string>;
  /** True once the barrier is unsealed AND every store is loaded. */
  #ready = false;
  /** Serializes unseal / seal transitions. */
  #transition: Promise<unknown> = Promise.resolve();

  constructor(opts: CoreOptions) {
    this.logger = opts.logger;
    this.storageType = opts.storageType;
    this.system = realSystemView({
      generatePassword: async (name) => (name ? this.passwords.generate(name) : defaultPassword()),
      ...opts.system,
    });
    this.defaultLeaseTTL = opts.defaultLeaseTTL ?? this.system.defaultLeaseTTL();
    this.maxLeaseTTL = opts.maxLeaseTTL ?? this.system.maxLeaseTTL();
    this.barrier = new Barrier(opts.physical, { cache: opts.cache ?? {} });
    this.passwords = new PasswordPolicyStore(new StorageView(this.barrier, 'sys/password-policy/'));
    this.seal = new SealManager({
      physical: opts.physical,
      barrier: this.barrier,
      storageType: opts.storageType,
      version: VERSION,
    });
    const view = (prefix: string) => new StorageView(this.barrier, prefix);
    this.mounts = new MountTable(view(''));
    const tokenMount = () => this.mounts.get('auth/token/');
    this.tokens = new TokenStore(view('sys/token/'), {
      now: () => this.system.now().getTime(),
      limits: {
        defaultTTL: () => tokenMount()?.config.default_lease_ttl || this.defaultLeaseTTL,
        maxTTL: () => tokenMount()?.config.max_lease_ttl || this.maxLeaseTTL,
      },
      onRevoke: async (entries) => {
        for (const e of entries) {
          const n = await this.expiration.revokeByToken(e.hash);
          for (const c of this.#leaseCounters) c.leases += n;
        }
        const cubby = this.mounts.get('cubbyhole/');
        if (!cubby) return;
        const v = this.router.view(cubby);
        for (const e of entries) await destroyCubbyhole(v, e.hash);
      },
    });
    this.policies = new PolicyStore(view('sys/policy/'));
    this.identity = new IdentityStore({ storage: view('sys/identity/'), now: () => this.system.now() });
    this.audit = new AuditBroker({
      storage: view('core/audit/'),
      factories: new Map([
        ['file', fileFactory],
        ['socket', socketFactory],
      ]),
      logger: this.logger.child({ component: 'audit' }),
      now: () => this.system.now(),
    });
    this.lockout = new LockoutManager({
      now: () => this.system.now().getTime(),
      storage: view('sys/lockout/'),
      logger: this.logger,
    });
    this.access = new AccessResolver({
      tokens: this.tokens,
      identity: this.identity,
      policies: this.policies,
    });
    const backendOf = (lease: LeaseEntry) => {
      const backend = this.router.backendFor(lease.mountUuid);
      if (!backend) throw new InternalError(`the mount of lease ${lease.leaseId} is not mounted`);
      return backend;
    };
    this.expiration = new ExpirationManager({
      storage: view('sys/expire/'),
      barrier: this.barrier,
      now: () => this.system.now().getTime(),
      logger: this.logger.child({ component: 'expiration' }),
      revokeSecret: (lease) => backendOf(lease).revokeSecret(leaseInfo(lease)),
      renewSecret: (lease, increment) => backendOf(lease).renewSecret(leaseInfo(lease), increment),
      limits: (uuid) => {
        const m = this.mounts.all().find((e) => e.uuid === uuid);
        return {
          defaultTTL: Math.min(m?.config.default_lease_ttl || this.defaultLeaseTTL, this.maxLeaseTTL),
          maxTTL: Math.min(m?.config.max_lease_ttl || this.maxLeaseTTL, this.maxLeaseTTL),
        };
      },
      tokenExists: async (hash) => (await this.tokens.getByHash(hash)) !== undefined,
    });
    const sysEntry = builtinMounts()[0]!;
    this.#sys = createBackend(systemDefinition(this), {
      storage: view('sys/data/'),
      system: this.system,
      logger: this.logger.child({ mount: 'sys/' }),
      mount: sysEntry,
    });
    this.#secretTypes = new Set(opts.registry.keys());
    this.#authTypes = new Set(opts.authRegistry?.keys() ?? []);
    const registry: Map<string, import('../sdk/framework/backend.ts').BackendFactory> = new Map([
      ...opts.registry,
      ...(opts.authRegistry ?? []),
    ]);
    registry.set('system', () => this.#sys);
    registry.set('cubbyhole', cubbyholeFactory);
    registry.set('token', (env) =>
      createBackend(
        tokenBackendDefinition({
          store: this.tokens,
          canSudo: async (req) => {
            const acl = await this.access.aclForRequest(req);
            return acl?.allowOperation(req.path, req.operation).sudo ?? false;
          },
          identityPolicies: async (entityId) => {
            const p = await this.identity.policiesFor(entityId);
            return [...new Set([...p.entityPolicies, ...p.groupPolicies])].sort();
          },
        }),
        env,
      ),
    );
    registry.set('identity', (env) =>
      createBackend(
        identityBackendDefinition({
          store: this.identity,
          lookupMount: (accessor) => {
            const m = this.mounts.all().find((e) => e.accessor === accessor);
            return m ? { type: m.type, path: m.path } : undefined;
          },
        }),
        env,
      ),
    );
    this.router = new Router({
      table: this.mounts,
      registry,
      barrier: this.barrier,
      system: (entry) => this.mountSystemView(entry),
      logger: this.logger,
    });
  }

  /** Revokes every token an entity holds, and so every lease those tokens created. */
  async revokeEntity(entityId: string): Promise<{ tokens: number; leases: number }> {
    const counter = { leases: 0 };
    this.#leaseCounters.add(counter);
    try {
      const tokens = await this.tokens.revokeEntity(entityId);
      return { tokens, leases: counter.leases };
    } finally {
      this.#leaseCounters.delete(counter);
    }
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

  /** Checks an auth mount's `user_lockout_config` (tune); stores the parsed form. */
  validateLockoutConfig(raw: Record<string, unknown>): Record<string, unknown> {
    return parseUserLockoutConfig(raw) as Record<string, unknown>;
  }

  /**
   * Takes a mount out of service before it is disabled or moved, revoking what it issued under
   * its path: its leases first, while its backend can still revoke them; then it leaves the
   * router, so no login reaches it (one already running revokes its own token, see
   * access/login.ts); then an auth method's tokens. If that last step fails the mount goes back
   * into the router, still in the table, and doing it again finishes the job.
   */
  async unmountRevoking(entry: MountEntry): Promise<void> {
    await this.expiration.revokePrefix(entry.path, { sync: true });
    await this.router.unmount(entry);
    if (kindOf(entry) !== 'auth') return;
    try {
      const n = await this.tokens.revokeByPath(entry.path);
      if (n > 0)
        this.logger.info('core: revoked the tokens of an auth method', { path: entry.path, tokens: n });
    } catch (err) {
      await this.router.mount(entry);
      throw err;
    }
  }

  /** What the wrapping module needs: the token store and the cubbyhole mount's storage (resolved lazily). */
  wrappingDeps(): WrappingDeps & { tokenFromRequest(req: Request): string } {
    return wrappingTokenDeps(this);
  }

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
    await this.policies.load();
    await this.identity.load();
    await this.lockout.load();
    await this.mounts.load(builtinMounts);
    await this.router.mountAll();
    await this.passwords.list();
    await this.expiration.load({ quiet: opts.quiet ?? false });
    await this.audit.load();
    this.#ready = true;
    if (!opts.quiet)
      this.logger.info('core: unsealed and ready', { mounts: this.mounts.all().map((m) => m.path) });
  }

  async #tearDown(): Promise<void> {
    if (!this.#ready && this.barrier.sealed) return;
    this.#ready = false;
    this.expiration.unload();
    await this.audit.unload();
    await this.router.unmountAll();
    this.mounts.clear();
    this.lockout.clear();
    this.identity.unload();
    this.tokens.unload();
  }

  /** Runs one request through the pipeline. Throws catalog errors; the edge maps them. */
  async handle(req: Request): Promise<Response> {
    const sysPath = req.path === 'sys' || req.path.startsWith('sys/') ? req.path.slice(4) : undefined;
    const sysMatch = sysPath !== undefined ? this.#sys.match(sysPath) : undefined;
    if (sysMatch?.path.unauthenticated?.includes(req.operation)) {
      req.mountPoint = 'sys/';
      req.mountPath = sysPath!;
      if (SEALED_OK.has(sysMatch.path.pattern)) {
        return req.help ? helpFor('sys/', this.#sys, sysPath!) : this.#sys.handle(req);
      }
    }
    if (!this.#ready) {
      if (!(await this.seal.isInitialized())) throw new NotInitializedError();
      throw new SealedError();
    }
    const route = this.router.route(req.path);
    const unauthenticated = route !== undefined && this.#isUnauthenticated(route, req);

    // Who is calling. Unauthenticated paths (logins, wrapping) run without a token.
    if (!unauthenticated) {
      // The access lookups answer synchronously when memory has the answer: no await then.
      const found = this.access.tokenFor(req.clientToken, req.remoteAddr);
      const token = found instanceof Promise ? await found : found;
      if (!token) throw new PermissionDeniedError();
      const auth = this.access.authOf(token);
      req.auth = auth instanceof Promise ? await auth : auth;
      req.clientTokenHash = token.hash;
      const wrapTTL = parseWrapTTL(req.headers['x-vault-wrap-ttl'], this.maxLeaseTTL);
      parseWrapFormat(req.headers['x-vault-wrap-format']);
      if (route && req.operation === 'update') {
        req.mountPoint = route.entry.path;
        req.mountPath = route.mountPath;
        const exists = await route.backend.exists(req).catch(() => undefined);
        if (exists === false) req.operation = 'create';
      }
      // ACL before routing: the answer for a path never depends on whether it exists.
      const aclOrPending = this.access.aclFor(req.auth);
      const acl = aclOrPending instanceof Promise ? await aclOrPending : aclOrPending;
      const result = acl.allowOperation(req.path, req.help ? 'read' : req.operation, req.data);
      const sudoNeeded = isSudoPath(req.path, req.operation);
      if (!result.allowed || (sudoNeeded && !result.sudo)) {
        await this.#auditDenied(req, route);
        throw new PermissionDeniedError();
      }
      checkWrappingPolicy(wrapTTL, result);
      if (token.numUses > 0 && !(await this.tokens.use(token))) throw new PermissionDeniedError();
      if (!route) throw new UnsupportedPathError(`no handler for route "${req.path}"`);
      return this.#run(route, req, wrapTTL, false);
    }
    const wrapTTL = parseWrapTTL(req.headers['x-vault-wrap-ttl'], this.maxLeaseTTL);
    if (req.clientToken !== '') {
      // A token on a login is optional; when valid it is recorded (audit), never required.
      const token = await this.#optionalToken(req);
      if (token) {
        req.auth = await this.access.authOf(token);
        req.clientTokenHash = token.hash;
      }
    }
    return this.#run(route!, req, wrapTTL, kindOf(route!.entry) === 'auth');
  }

  /** The token of a request that needs none: its entry when it is valid, else undefined. */
  async #optionalToken(req: Request): Promise<TokenEntry | undefined> {
    try {
      return await this.access.tokenFor(req.clientToken, req.remoteAddr);
    } catch {
      return undefined;
    }
  }

  #isUnauthenticated(route: RouteMatch, req: Request): boolean {
    if (route.entry.type !== 'system' && kindOf(route.entry) !== 'auth') return false;
    const m = route.backend.match(route.mountPath);
    const op = req.operation === 'create' ? 'update' : req.operation;
    return m?.path.unauthenticated?.includes(op) ?? false;
  }

  #auditMount(route: RouteMatch | undefined): AuditInput['mount'] {
    if (!route) return undefined;
    const e = route.entry;
    return {
      type: e.type,
      accessor: e.accessor,
      path: e.path,
      ...(e.config.audit_non_hmac_request_keys
        ? { nonHmacRequestKeys: e.config.audit_non_hmac_request_keys }
        : {}),
      ...(e.config.audit_non_hmac_response_keys
        ? { nonHmacResponseKeys: e.config.audit_non_hmac_response_keys }
        : {}),
    };
  }

  async #auditDenied(req: Request, route: RouteMatch | undefined): Promise<void> {
    if (!this.audit.enabled()) return;
    const mount = this.#auditMount(route);
    const input: AuditInput = { request: req, error: 'permission denied', ...(mount ? { mount } : {}) };
    await this.audit.logRequest(input);
    await this.audit.logResponse(input).catch(() => {});
  }

  /** Audit (fail closed), run the backend or the login, wrap, audit the response. */
  async #run(
    route: RouteMatch,
    req: Request,
    wrapTTL: number | undefined,
    login: boolean,
  ): Promise<Response> {
    req.mountPoint = route.entry.path;
    req.mountPath = route.mountPath;
    if (req.help) return helpResponse(this, req);
    // Built only when a device is enabled (a device enabled by this very request logs its
    // response, as in Vault). The same object for both lines: the broker reuses their blocks.
    let base: AuditInput | undefined;
    const auditInput = (): AuditInput => {
      if (base === undefined) {
        const mount = this.#auditMount(route);
        base = {
          request: req,
          ...(mount ? { mount } : {}),
          ...(wrapTTL !== undefined ? { wrapTTL } : {}),
        };
      }
      return base;
    };
    if (this.audit.enabled()) await this.audit.logRequest(auditInput());
    let res: Response;
    try {
      res = login ? await runLogin(this, route.entry, route.backend, req) : await route.backend.handle(req);
      if (res.secret) res = await registerIssuedSecret(this, route, req, res);
      if (res.data !== undefined && res.raw === undefined)
        res.envelope = { mount_type: route.entry.type, ...res.envelope };
      if (wrapTTL !== undefined && !isWrapped(res)) {
        res = await wrapResponse(this.wrappingDeps(), res, {
          ttl: wrapTTL,
          creationPath: req.path,
          requestId: req.id,
        });
      }
      if (mustWrap(res) && !isWrapped(res)) throw new InternalError('response must be wrapped but was not');
    } catch (err) {
      const e = asCofferError(err);
      if (!(err instanceof CofferError))
        this.logger.error('core: handler failed', { path: req.path, mount: route.entry.path, err });
      if (this.audit.enabled()) {
        await this.audit.logResponse({ ...auditInput(), error: e.publicMessage || e.code }).catch(() => {});
      }
      throw err;
    }
    if (this.audit.enabled()) await this.audit.logResponse({ ...auditInput(), response: res });
    return res;
  }
}
