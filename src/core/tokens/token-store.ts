import { createHmac, createSecretKey, type KeyObject, randomBytes, hash as sha256Of } from 'node:crypto';
import { BadRequestError, InvalidFieldError, PermissionDeniedError } from '../../sdk/errors.ts';
import type { StorageView } from '../../sdk/storage-view.ts';
import type { StorageOp } from '../../storage/storage.ts';
import { parseCIDRs } from './cidr.ts';
import { checkSubset, sanitizePolicies } from './policies.ts';
import { RoleStore } from './roles.ts';
import { normalizeEntry, type TokenEntry, type TokenType } from './token-entry.ts';
import { creationTTL, renewalTTL, type TTLLimits } from './ttl.ts';

export type { TokenEntry, TokenType } from './token-entry.ts';

/**
 * The token store. Token ids and accessors are never stored: only their HMAC-SHA256 under a
 * per-server salt that lives behind the barrier. A lookup hashes the presented token and reads by
 * that hash, so no stored secret is ever compared byte by byte.
 *
 * Storage layout (all below the store's view, `sys/token/`):
 *   salt                          the HMAC key
 *   id/<hash>                     TokenEntry (JSON)
 *   accessor/<accessorHash>       { hash, accessor }
 *   parent/<parentHash>/<hash>    empty: the parent → children index, found with `list`
 *   entity/<entityId>/<hash>      empty: the entity → tokens index (revoke everything an entity holds)
 *   roles/<name>                  TokenRole
 *
 * Batch tokens are persisted here too (Vault encodes them in the token instead) but have no
 * accessor, no num_uses, cannot be renewed, cannot be revoked by the API (only with their parent),
 * cannot create tokens and are never root: they live until their TTL.
 */

export interface TokenStoreDeps {
  /** Unix milliseconds. */
  now(): number;
  /** The token mount's TTL limits (seconds). */
  limits: TTLLimits;
  /**
   * Runs before tokens are deleted (leases, cubbyholes, wrapping). Called with batches, deepest
   * descendants first. If it throws the revocation stops; the tokens stay unusable in this process.
   */
  onRevoke(entries: readonly TokenEntry[]): Promise<void>;
}

export interface CreateTokenParams {
  /** A caller-chosen token id (root callers only: the path handler checks). */
  id?: string;
  /** Undefined: the parent's policies. */
  policies?: readonly string[];
  meta?: Record<string, string>;
  /** Create an orphan even though a parent (the caller) is given. */
  noParent?: boolean;
  noDefaultPolicy?: boolean;
  /** Default true (false for batch tokens). */
  renewable?: boolean;
  /** Seconds; 0 = the default TTL. */
  ttl?: number;
  explicitMaxTTL?: number;
  /** A role's or auth method's max TTL (0 = the mount's). */
  maxTTL?: number;
  period?: number;
  numUses?: number;
  displayName?: string;
  type?: TokenType;
  /** Default `auth/token/create`. */
  path?: string;
  boundCIDRs?: readonly string[];
  /** Default: the parent's entity. */
  entityId?: string;
  role?: string;
  internalData?: Record<string, unknown>;
  /**
   * The policies were checked against a role's allowed policies, which replace the rule that a
   * child's policies are a subset of its parent's.
   */
  policiesFromRole?: boolean;
}

export interface TidyResult {
  /** Tokens revoked: expired, or whose parent no longer exists. */
  revoked: number;
  /** Index entries (accessor → token, parent → child) pointing at nothing. */
  danglingIndexEntries: number;
}

const SALT_KEY = 'salt';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HASH_RE = /^[0-9a-f]{64}$/;
/** Presented tokens whose salted hash is remembered (see hash()); the map is emptied when full. */
const MAX_MEMOIZED_HASHES = 10_000;
const sha256 = (data: string, encoding: 'base64') => sha256Of('sha256', data, encoding);
/** Storage batches stay below this many operations. */
const MAX_BATCH_OPS = 500;
/** Parallel reads while walking a tree. */
const READ_PARALLELISM = 64;

/** `hvs.` + 24 base62 characters from a CSPRNG (rejection sampling, no modulo bias). */
export function generateTokenId(prefix = 'hvs.'): string {
  let out = prefix;
  while (out.length < prefix.length + 24) {
    for (const b of randomBytes(32)) {
      if (b < 248 && out.length < prefix.length + 24) out += BASE62[b % 62];
    }
  }
  return out;
}

const defaultDeps: TokenStoreDeps = {
  now: () => Date.now(),
  limits: { defaultTTL: () => 32 * 24 * 3600, maxTTL: () => 32 * 24 * 3600 },
  onRevoke: async () => {},
};

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export class TokenStore {
  readonly #storage: StorageView;
  readonly #deps: TokenStoreDeps;
  readonly roles: RoleStore;
  #salt: Buffer | undefined;
  #saltKey: KeyObject | undefined;
  /** Live entries by hash; dropped on revoke and on seal. */
  readonly #cache = new Map<string, TokenEntry>();
  /** SHA-256 of a presented token → its salted hash. */
  readonly #hashes = new Map<string, string>();
  /** Hashes being revoked: unusable from the moment a revocation reaches them. */
  readonly #revoking = new Set<string>();
  /** Bumped whenever a revocation finished deleting: reads that started before it are redone. */
  #epoch = 0;
  /** Per-token serialization of read-modify-write (use, renew, orphaning). */
  readonly #locks = new Map<string, Promise<void>>();

  /** `storage` is the barrier view for token data (`sys/token/`). */
  constructor(storage: StorageView, deps: Partial<TokenStoreDeps> = {}) {
    this.#storage = storage;
    this.#deps = { ...defaultDeps, ...deps };
    this.roles = new RoleStore(storage.sub('roles/'));
  }

  get limits(): TTLLimits {
    return this.#deps.limits;
  }

  now(): number {
    return this.#deps.now();
  }

  async load(): Promise<void> {
    let salt = await this.#storage.get(SALT_KEY);
    if (!salt) {
      salt = randomBytes(32);
      await this.#storage.put(SALT_KEY, salt);
    }
    this.#salt = salt;
    // Prepared once: an HMAC with a raw Buffer key re-imports the key on every call (~7× slower).
    this.#saltKey = createSecretKey(salt);
  }

  unload(): void {
    this.#salt?.fill(0);
    this.#salt = undefined;
    this.#saltKey = undefined;
    this.#cache.clear();
    this.#hashes.clear();
    this.#revoking.clear();
    this.#epoch++;
  }

  hash(id: string): string {
    if (!this.#saltKey) throw new Error('token store is not loaded');
    // The salted HMAC costs an HMAC context per call; a presented token is looked up by a plain
    // SHA-256 of it first (memory only, never stored), and the HMAC is computed once per token.
    const digest = sha256(id, 'base64');
    let hashed = this.#hashes.get(digest);
    if (hashed === undefined) {
      hashed = createHmac('sha256', this.#saltKey).update(id, 'utf8').digest('hex');
      if (this.#hashes.size >= MAX_MEMOIZED_HASHES) this.#hashes.clear();
      this.#hashes.set(digest, hashed);
    }
    return hashed;
  }

  /** Creates a root token. `id` is for `-dev-root-token-id`; otherwise a random one is made. */
  async createRoot(id?: string): Promise<{ id: string; entry: TokenEntry }> {
    const { id: tokenId, entry } = await this.create({
      ...(id === undefined ? {} : { id }),
      policies: ['root'],
      path: 'auth/token/root',
      displayName: 'root',
      renewable: false,
    });
    return { id: tokenId, entry };
  }

  /**
   * Creates a token. `parent` is the token asking for it: its policies are the default and the
   * upper bound (unless it is root or `policiesFromRole`), and the new token becomes its child
   * unless `noParent`. Without a parent (auth method logins, root generation) it is an orphan.
   */
  async create(
    params: CreateTokenParams,
    parent?: TokenEntry,
  ): Promise<{ id: string; entry: TokenEntry; warnings: string[] }> {
    const type = params.type ?? 'service';
    if (parent) {
      if (parent.type === 'batch') throw new BadRequestError('batch tokens cannot create more tokens');
      if (!(await this.getByHash(parent.hash))) throw new PermissionDeniedError();
    }
    let policies = sanitizePolicies(params.policies ?? parent?.policies ?? [], !params.noDefaultPolicy);
    if (params.noDefaultPolicy) policies = policies.filter((p) => p !== 'default');
    if (parent && !params.policiesFromRole) checkSubset(policies, parent.policies);
    const isRoot = policies.includes('root');
    const numUses = params.numUses ?? 0;
    const period = params.period ?? 0;
    const explicitMaxTTL = params.explicitMaxTTL ?? 0;
    for (const [name, v] of [
      ['num_uses', numUses],
      ['period', period],
      ['explicit_max_ttl', explicitMaxTTL],
      ['ttl', params.ttl ?? 0],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw new InvalidFieldError(`field "${name}": must not be negative`);
    }
    if (type === 'batch') {
      if (params.id !== undefined) throw new BadRequestError('batch tokens cannot have a custom ID');
      if (isRoot) throw new BadRequestError('batch tokens cannot be root tokens');
      if (period > 0) throw new BadRequestError('batch tokens cannot be periodic');
      if (numUses > 0) throw new BadRequestError('batch tokens cannot have num_uses');
    }
    const { ttl, warnings } = creationTTL(
      { ttl: params.ttl ?? 0, period, explicitMaxTTL, maxTTL: params.maxTTL ?? 0, isRoot },
      this.#deps.limits,
    );

    let id: string;
    if (params.id !== undefined) {
      id = params.id;
      if (id === '' || id.length > 512 || /\s/.test(id))
        throw new InvalidFieldError('field "id": invalid token ID');
      if (await this.#storage.has(`id/${this.hash(id)}`))
        throw new BadRequestError('cannot create a token with a duplicate ID');
    } else {
      id = generateTokenId(type === 'batch' ? 'hvb.' : 'hvs.');
    }
    const accessor = type === 'batch' ? '' : generateTokenId('');
    const nowMs = this.#deps.now();
    const parentHash = parent && !params.noParent ? parent.hash : '';
    const entry: TokenEntry = {
      hash: this.hash(id),
      accessor,
      accessorHash: accessor === '' ? '' : this.hash(accessor),
      policies,
      path: params.path ?? 'auth/token/create',
      displayName: params.displayName ?? 'token',
      meta: { ...params.meta },
      creationTime: Math.floor(nowMs / 1000),
      issueTime: nowMs,
      creationTTL: ttl,
      ttl,
      expireTime: ttl > 0 ? nowMs + ttl * 1000 : 0,
      lastRenewalTime: 0,
      explicitMaxTTL: type === 'batch' ? 0 : explicitMaxTTL,
      maxTTL: params.maxTTL ?? 0,
      period,
      numUses,
      parent: parentHash,
      orphan: parentHash === '',
      type,
      renewable: type === 'batch' ? false : (params.renewable ?? true),
      boundCIDRs: parseCIDRs('bound_cidrs', params.boundCIDRs ?? []),
      entityId: params.entityId ?? parent?.entityId ?? '',
      role: params.role ?? '',
      internalData: { ...params.internalData },
    };
    const ops: StorageOp[] = [{ op: 'put', key: `id/${entry.hash}`, value: json(entry) }];
    if (entry.accessorHash !== '')
      ops.push({
        op: 'put',
        key: `accessor/${entry.accessorHash}`,
        value: json({ hash: entry.hash, accessor }),
      });
    if (parentHash !== '')
      ops.push({ op: 'put', key: `parent/${parentHash}/${entry.hash}`, value: json({}) });
    if (entry.entityId !== '')
      ops.push({ op: 'put', key: `entity/${entityKey(entry.entityId)}/${entry.hash}`, value: json({}) });
    if (parentHash !== '' && this.#revoking.has(parentHash)) throw new PermissionDeniedError();
    await this.#storage.batch(ops);
    // A revocation of the parent that listed its children before this write landed would miss
    // this child: undo it (the revocation marked the parent before listing).
    if (parentHash !== '' && this.#revoking.has(parentHash)) {
      await this.#storage.batch(ops.map((o) => ({ op: 'delete', key: o.key })));
      throw new PermissionDeniedError();
    }
    return { id, entry, warnings };
  }

  /** The live entry of a presented token, or undefined for an unknown, expired or revoked one. */
  async lookup(id: string): Promise<TokenEntry | undefined> {
    if (typeof id !== 'string' || id === '' || id.length > 512) return undefined;
    return this.#getByHash(this.hash(id));
  }

  /**
   * lookup's answer from memory alone, without a promise: the live entry or undefined; null when
   * it needs storage (an entry not cached, or a batch token whose parent must be checked).
   */
  lookupCached(id: string): TokenEntry | undefined | null {
    if (typeof id !== 'string' || id === '' || id.length > 512) return undefined;
    const hash = this.hash(id);
    if (this.#revoking.has(hash)) return undefined;
    const entry = this.#cache.get(hash);
    if (!entry) return null;
    if (this.#expired(entry) || entry.numUses < 0) return undefined;
    if (entry.type === 'batch' && entry.parent !== '') return null;
    return entry;
  }

  /** Like lookup, by the token's hash (`RequestAuth.tokenHash`). */
  getByHash(hash: string): Promise<TokenEntry | undefined> {
    return HASH_RE.test(hash) ? this.#getByHash(hash) : Promise.resolve(undefined);
  }

  /** getByHash of a hash known to be well-formed (one hash() made). */
  async #getByHash(hash: string): Promise<TokenEntry | undefined> {
    if (this.#revoking.has(hash)) return undefined;
    let entry = this.#cache.get(hash);
    if (!entry) {
      const epoch = this.#epoch;
      entry = await this.#read(hash);
      if (!entry) return undefined;
      if (epoch !== this.#epoch) return this.#getByHash(hash);
      this.#cache.set(hash, entry);
    }
    if (this.#revoking.has(hash) || this.#expired(entry) || entry.numUses < 0) return undefined;
    // A batch token stops working with its parent (Vault checks the parent on every use).
    if (entry.type === 'batch' && entry.parent !== '' && !(await this.getByHash(entry.parent)))
      return undefined;
    return entry;
  }

  /** The live entry an accessor points at. */
  async lookupAccessor(accessor: string): Promise<TokenEntry | undefined> {
    if (typeof accessor !== 'string' || accessor === '' || accessor.length > 512) return undefined;
    const rec = await this.#storage.getJSON<{ hash: string }>(`accessor/${this.hash(accessor)}`);
    return rec ? this.getByHash(rec.hash) : undefined;
  }

  /** Revokes every token an entity holds (each with its subtree). Returns how many tokens were revoked. */
  async revokeEntity(entityId: string): Promise<number> {
    if (entityId === '') return 0;
    let total = 0;
    const hashes = (await this.#storage.list(`entity/${entityKey(entityId)}/`)).filter((k) =>
      HASH_RE.test(k),
    );
    for (const h of hashes) {
      const entry = await this.#read(h);
      if (entry) total += await this.revokeTree(entry);
      else await this.#storage.delete(`entity/${entityKey(entityId)}/${h}`);
    }
    return total;
  }

  /**
   * Revokes every token created under `prefix` (an auth method's mount path, `auth/userpass/`),
   * each with its subtree: disabling an auth method revokes what it issued, as in Vault. Reads
   * every token once. Returns how many tokens were revoked.
   */
  async revokeByPath(prefix: string): Promise<number> {
    if (!prefix.endsWith('/'))
      throw new TypeError('token store: revokeByPath needs a mount path ending in /');
    const hashes = (await this.#storage.list('id/')).filter((k) => HASH_RE.test(k));
    const issued: TokenEntry[] = [];
    await inChunks(hashes, READ_PARALLELISM, async (h) => {
      const e = await this.#read(h);
      if (e?.path.startsWith(prefix)) issued.push(e);
    });
    let total = 0;
    // One may lie in another's subtree: the first revokeTree takes it, the second finds it gone
    // and counts nothing.
    for (const e of issued) total += await this.revokeTree(e);
    return total;
  }

  /** Every accessor (for `auth/token/accessors`). */
  async listAccessors(): Promise<string[]> {
    const out: string[] = [];
    const keys = (await this.#storage.list('accessor/')).filter((k) => !k.endsWith('/'));
    await inChunks(keys, READ_PARALLELISM, async (k) => {
      const rec = await this.#storage.getJSON<{ hash: string; accessor: string }>(`accessor/${k}`);
      if (rec?.accessor && !this.#revoking.has(rec.hash)) out.push(rec.accessor);
    });
    return out.sort();
  }

  /**
   * Counts one use of a token. Unlimited tokens come back as they are (if still live). For
   * limited ones the decrement is serialized per token: of N concurrent uses of a token with k
   * uses left exactly k get the entry. The use that takes the last one gets the entry (with
   * numUses 0) and the token is revoked, with its children, before this resolves.
   */
  async use(entry: TokenEntry): Promise<TokenEntry | undefined> {
    if (entry.numUses === 0) return this.getByHash(entry.hash);
    let exhausted: TokenEntry | undefined;
    const out = await this.#update(entry.hash, (cur) => {
      if (cur.numUses === 0) return { result: cur };
      if (cur.numUses === 1) {
        // Stored as -1: "revocation pending", dead even if the revocation below is interrupted.
        exhausted = { ...cur, numUses: -1 };
        this.#revoking.add(cur.hash);
        return { next: exhausted, result: { ...cur, numUses: 0 } };
      }
      const next = { ...cur, numUses: cur.numUses - 1 };
      return { next, result: next };
    });
    if (exhausted) {
      const dead = exhausted;
      await this.#updateLocked(dead.hash, () => this.revokeTree(dead));
    }
    return out;
  }

  /** Renews a token (see renewalTTL); returns the updated entry. */
  async renew(entry: TokenEntry, increment = 0): Promise<TokenEntry> {
    return (await this.renewWithWarnings(entry, increment)).entry;
  }

  async renewWithWarnings(
    entry: TokenEntry,
    increment = 0,
  ): Promise<{ entry: TokenEntry; warnings: string[] }> {
    if (entry.type === 'batch') throw new BadRequestError('batch tokens cannot be renewed');
    let warnings: string[] = [];
    const out = await this.#update(entry.hash, (cur) => {
      if (!cur.renewable) throw new BadRequestError('lease is not renewable');
      if (cur.expireTime === 0 && cur.period === 0) return { result: cur };
      const nowMs = this.#deps.now();
      const r = renewalTTL(cur, increment, nowMs, this.#deps.limits);
      warnings = r.warnings;
      const next = { ...cur, ttl: r.ttl, expireTime: nowMs + r.ttl * 1000, lastRenewalTime: nowMs };
      return { next, result: next };
    });
    if (!out) throw new BadRequestError('token not found');
    return { entry: out, warnings };
  }

  /** Revokes a presented token and its descendants. Unknown tokens are ignored. */
  async revoke(id: string): Promise<void> {
    if (typeof id !== 'string' || id === '' || id.length > 512) return;
    const hash = this.hash(id);
    const entry = await this.#read(hash);
    if (entry) await this.revokeTree(entry);
  }

  /** Revokes the token an accessor points at, with its descendants. False when there is none. */
  async revokeAccessor(accessor: string): Promise<boolean> {
    const entry = await this.lookupAccessor(accessor);
    if (!entry) return false;
    await this.revokeTree(entry);
    return true;
  }

  /**
   * Revokes a token and all its descendants, iteratively (no recursion: deep chains and wide
   * fans alike). Every token of the tree is unusable from the moment the walk reaches it; deletion
   * runs deepest first in batches, so an interrupted revocation leaves a smaller tree that is
   * still rooted at the token and can be revoked again. Returns how many tokens were revoked.
   */
  async revokeTree(entry: TokenEntry): Promise<number> {
    const marked: string[] = [];
    const mark = (h: string) => {
      this.#revoking.add(h);
      this.#cache.delete(h);
      marked.push(h);
    };
    mark(entry.hash);
    const root = await this.#read(entry.hash);
    const order: TokenEntry[] = root ? [root] : [];
    const dangling: string[] = [];
    const seen = new Set<string>([entry.hash]);
    const queue: string[] = [entry.hash];
    for (let qi = 0; qi < queue.length; qi++) {
      const h = queue[qi]!;
      const children = (await this.#storage.list(`parent/${h}/`)).filter((k) => !k.endsWith('/'));
      const fresh = children.filter((c) => {
        if (seen.has(c) || !HASH_RE.test(c)) {
          dangling.push(`parent/${h}/${c}`);
          return false;
        }
        seen.add(c);
        mark(c);
        return true;
      });
      await inChunks(fresh, READ_PARALLELISM, async (c) => {
        const child = await this.#read(c);
        if (child && child.parent === h) {
          order.push(child);
          queue.push(c);
        } else {
          dangling.push(`parent/${h}/${c}`);
        }
      });
    }
    // Deepest first: a child is always deleted before (or with) its parent.
    order.reverse();
    let i = 0;
    while (i < order.length || dangling.length > 0) {
      const chunk: TokenEntry[] = [];
      const ops: StorageOp[] = [];
      while (i < order.length && ops.length + 3 <= MAX_BATCH_OPS) {
        const e = order[i++]!;
        chunk.push(e);
        ops.push(...deleteOps(e));
      }
      while (dangling.length > 0 && ops.length < MAX_BATCH_OPS)
        ops.push({ op: 'delete', key: dangling.pop()! });
      if (chunk.length > 0) await this.#deps.onRevoke(chunk);
      await this.#storage.batch(ops);
    }
    // If anything above throws, what was reached stays unusable in this process (and
    // tidy or a retry finishes the job).
    this.#finish(marked);
    return order.length;
  }

  /**
   * Revokes only this token: its children become orphans (parent cleared) and keep working.
   */
  async revokeOrphan(entry: TokenEntry): Promise<void> {
    const h = entry.hash;
    this.#revoking.add(h);
    this.#cache.delete(h);
    const current = await this.#read(h);
    const children = (await this.#storage.list(`parent/${h}/`)).filter((k) => !k.endsWith('/'));
    // Orphan the children first: if this is interrupted the parent still exists and holds them.
    await inChunks(children, READ_PARALLELISM, async (c) => {
      if (!HASH_RE.test(c)) return;
      await this.#update(c, (cur) => {
        if (cur.parent !== h) return { result: cur };
        const next = { ...cur, parent: '', orphan: true };
        return { next, result: next };
      });
    });
    if (current) await this.#deps.onRevoke([current]);
    const ops: StorageOp[] = [
      ...(current ? deleteOps(current) : [{ op: 'delete' as const, key: `id/${h}` }]),
      ...children.map((c) => ({ op: 'delete' as const, key: `parent/${h}/${c}` })),
    ];
    for (let i = 0; i < ops.length; i += MAX_BATCH_OPS)
      await this.#storage.batch(ops.slice(i, i + MAX_BATCH_OPS));
    this.#finish([h]);
  }

  /**
   * Removes what expiry and interrupted revocations leave behind: expired tokens and tokens whose
   * parent no longer exists are revoked (with their trees); index entries pointing at nothing are
   * deleted. Synchronous: it returns when done.
   */
  async tidy(): Promise<TidyResult> {
    const result: TidyResult = { revoked: 0, danglingIndexEntries: 0 };
    const ids = (await this.#storage.list('id/')).filter((k) => HASH_RE.test(k));
    for (const h of ids) {
      const e = await this.#read(h);
      if (!e || this.#revoking.has(h)) continue;
      const orphaned = e.parent !== '' && !(await this.#storage.has(`id/${e.parent}`));
      if (this.#expired(e) || orphaned || e.numUses < 0) result.revoked += await this.revokeTree(e);
    }
    const stale: string[] = [];
    for (const p of await this.#storage.list('parent/')) {
      const parentHash = p.replace(/\/$/, '');
      const parentExists = await this.#storage.has(`id/${parentHash}`);
      for (const c of await this.#storage.list(`parent/${p}`)) {
        const child = parentExists ? await this.#read(c) : undefined;
        if (!child || child.parent !== parentHash) stale.push(`parent/${p}${c}`);
      }
    }
    for (const a of await this.#storage.list('accessor/')) {
      const rec = await this.#storage.getJSON<{ hash: string }>(`accessor/${a}`);
      if (!rec || !(await this.#storage.has(`id/${rec.hash}`))) stale.push(`accessor/${a}`);
    }
    for (let i = 0; i < stale.length; i += MAX_BATCH_OPS)
      await this.#storage.batch(stale.slice(i, i + MAX_BATCH_OPS).map((key) => ({ op: 'delete', key })));
    result.danglingIndexEntries = stale.length;
    return result;
  }

  #expired(e: TokenEntry): boolean {
    return e.expireTime !== 0 && this.#deps.now() >= e.expireTime;
  }

  /** Straight from storage (no cache, no liveness checks). */
  async #read(hash: string): Promise<TokenEntry | undefined> {
    if (!HASH_RE.test(hash)) return undefined;
    const raw = await this.#storage.getJSON<TokenEntry>(`id/${hash}`);
    return raw ? normalizeEntry({ ...raw, hash }) : undefined;
  }

  #finish(hashes: readonly string[]): void {
    this.#epoch++;
    for (const h of hashes) {
      this.#revoking.delete(h);
      this.#cache.delete(h);
    }
  }

  /** Runs `fn` alone for this token (FIFO among callers for the same token). */
  async #updateLocked<T>(hash: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(hash) ?? Promise.resolve();
    const run = prev.then(fn);
    const tail = run.then(
      () => {},
      () => {},
    );
    this.#locks.set(hash, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(hash) === tail) this.#locks.delete(hash);
    }
  }

  /**
   * Read-modify-write of one live entry under its lock. `fn` returns the entry to store (`next`,
   * absent = store nothing) and the result. A token being revoked, gone or expired gives
   * undefined; a read that raced a finished revocation is redone, so nothing revoked comes back.
   */
  #update(
    hash: string,
    fn: (cur: TokenEntry) => { next?: TokenEntry; result: TokenEntry },
  ): Promise<TokenEntry | undefined> {
    return this.#updateLocked(hash, async () => {
      for (;;) {
        const epoch = this.#epoch;
        const cur = await this.#read(hash);
        if (epoch !== this.#epoch) continue;
        if (!cur || this.#revoking.has(hash) || this.#expired(cur) || cur.numUses < 0) return undefined;
        const { next, result } = fn(cur);
        if (next) {
          await this.#storage.put(`id/${hash}`, json(next));
          if (this.#revoking.has(hash)) this.#cache.delete(hash);
          else this.#cache.set(hash, next);
        }
        return result;
      }
    });
  }
}

function deleteOps(e: TokenEntry): StorageOp[] {
  const ops: StorageOp[] = [{ op: 'delete', key: `id/${e.hash}` }];
  if (e.accessorHash !== '') ops.push({ op: 'delete', key: `accessor/${e.accessorHash}` });
  if (e.parent !== '') ops.push({ op: 'delete', key: `parent/${e.parent}/${e.hash}` });
  if (e.entityId !== '') ops.push({ op: 'delete', key: `entity/${entityKey(e.entityId)}/${e.hash}` });
  return ops;
}

/** Entity ids are uuids; anything else is hashed so it cannot shape a storage key. */
function entityKey(entityId: string): string {
  return /^[0-9a-f-]{36}$/.test(entityId)
    ? entityId
    : createHmac('sha256', 'entity').update(entityId).digest('hex');
}

async function inChunks<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
