import { createHmac, randomBytes } from 'node:crypto';
import type { StorageView } from '../../sdk/storage-view.ts';

/**
 * The token store. Token ids and accessors are never stored: only their HMAC-SHA256 under a
 * per-server salt that lives behind the barrier. A lookup hashes the presented token and reads by
 * that hash, so no stored secret is ever compared byte by byte.
 *
 * This issue needs root tokens only; the full store (TTLs, children, roles) builds on this shape.
 */
export interface TokenEntry {
  /** HMAC of the token id: the storage key, never the id itself. */
  readonly hash: string;
  readonly accessorHash: string;
  readonly policies: readonly string[];
  readonly path: string;
  readonly displayName: string;
  readonly creationTime: number; // unix seconds
  readonly ttl: number; // seconds, 0 = never expires
  readonly type: 'service';
}

const SALT_KEY = 'salt';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

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

export class TokenStore {
  readonly #storage: StorageView;
  #salt: Buffer | undefined;
  /** Entries by hash; the cache is dropped on seal. */
  readonly #cache = new Map<string, TokenEntry>();

  /** `storage` is the barrier view for token data (`sys/token/`). */
  constructor(storage: StorageView) {
    this.#storage = storage;
  }

  async load(): Promise<void> {
    let salt = await this.#storage.get(SALT_KEY);
    if (!salt) {
      salt = randomBytes(32);
      await this.#storage.put(SALT_KEY, salt);
    }
    this.#salt = salt;
  }

  unload(): void {
    this.#salt?.fill(0);
    this.#salt = undefined;
    this.#cache.clear();
  }

  hash(id: string): string {
    if (!this.#salt) throw new Error('token store is not loaded');
    return createHmac('sha256', this.#salt).update(id, 'utf8').digest('hex');
  }

  /** Creates a root token. `id` is for `-dev-root-token-id`; otherwise a random one is made. */
  async createRoot(id?: string): Promise<{ id: string; entry: TokenEntry }> {
    const tokenId = id ?? generateTokenId();
    const accessor = generateTokenId('');
    const entry: TokenEntry = {
      hash: this.hash(tokenId),
      accessorHash: this.hash(accessor),
      policies: ['root'],
      path: 'auth/token/root',
      displayName: 'root',
      creationTime: Math.floor(Date.now() / 1000),
      ttl: 0,
      type: 'service',
    };
    await this.#storage.batch([
      { op: 'put', key: `id/${entry.hash}`, value: Buffer.from(JSON.stringify(entry)) },
      {
        op: 'put',
        key: `accessor/${entry.accessorHash}`,
        value: Buffer.from(JSON.stringify({ hash: entry.hash })),
      },
    ]);
    this.#cache.set(entry.hash, entry);
    return { id: tokenId, entry };
  }

  /** The entry of a presented token, or undefined for an unknown / empty one. */
  async lookup(id: string): Promise<TokenEntry | undefined> {
    if (id === '' || id.length > 512) return undefined;
    const hash = this.hash(id);
    const cached = this.#cache.get(hash);
    if (cached) return cached;
    const entry = await this.#storage.getJSON<TokenEntry>(`id/${hash}`);
    if (entry) this.#cache.set(hash, entry);
    return entry;
  }

  async revoke(id: string): Promise<void> {
    const entry = await this.lookup(id);
    if (!entry) return;
    this.#cache.delete(entry.hash);
    await this.#storage.batch([
      { op: 'delete', key: `id/${entry.hash}` },
      { op: 'delete', key: `accessor/${entry.accessorHash}` },
    ]);
  }
}
