/**
 * The barrier's read cache: decrypted values of recently read keys, bounded by entries and by
 * bytes. It holds plaintext in the process's memory, which already holds the keyring that opens
 * every stored value; it adds no new way to reach a secret, and it is emptied (its buffers zeroed
 * and freed) at seal. Values are copied in and out: a caller that zeroes or edits what it got
 * cannot change the cache.
 *
 * Eviction is second chance (CLOCK): the oldest entry goes first unless it was read since it came
 * in or was last passed over, in which case it moves to the back. A hit only sets a flag: a Map
 * reordered on every read (delete + set) rebuilds its hash table every few thousand hits, tens of
 * kB of old-space garbage each time on a busy server.
 *
 * Filled by reads; a write drops the key, and when it succeeds puts the written value back if the
 * key held one (a secret written over is read back from memory; writes never add keys). A value
 * that was changed in storage behind Coffer's back (not supported: one active node) is read and
 * checked again only after it leaves the cache.
 */
export interface ReadCacheOptions {
  /** Most entries kept (Vault's `cache_size`; default 131,072). */
  maxEntries?: number;
  /** Most bytes of keys and values kept (default 32 MiB). */
  maxBytes?: number;
}

export const DEFAULT_CACHE_ENTRIES = 131_072;
export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
/** Larger values are not cached: one of them would push out many small ones. */
const MAX_VALUE_BYTES = 64 * 1024;
/** Keys whose last write is remembered for racing reads (see #touched). */
const MAX_TOUCHED = 10_000;
/** Rough bookkeeping cost of one entry (Map slot, Entry and Buffer objects). */
const ENTRY_OVERHEAD = 96;

interface Entry {
  /** null: the key is known to be absent. */
  readonly value: Buffer | null;
  /** Read since it was added or last passed over by eviction. */
  used: boolean;
}

export class ReadCache {
  /** Oldest first (see the top of this file). */
  readonly #entries = new Map<string, Entry>();
  /**
   * Parsed JSON of cached values, deep-frozen and shared by every reader (see `parsed`). Present
   * only while the key's entry is; counted in #bytes (see parsedCost).
   */
  readonly #parsed = new Map<string, unknown>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;
  /**
   * Bumped by every write. A read remembers it when it starts; its value is cached only if no write
   * of the same key started or ended since (#touched), and the read is not older than #floor.
   */
  #generation = 0;
  /** Key → generation of its last write start or end (forgotten in bulk, see #floor). */
  readonly #touched = new Map<string, number>();
  /** Reads that started before this generation are not cached (#touched was emptied then). */
  #floor = 0;
  /** Writes in flight per key (beginWrite → endWrite). */
  readonly #writing = new Map<string, { count: number; last: number }>();

  constructor(opts: ReadCacheOptions = {}) {
    this.#maxEntries = opts.maxEntries ?? DEFAULT_CACHE_ENTRIES;
    this.#maxBytes = opts.maxBytes ?? DEFAULT_CACHE_BYTES;
  }

  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** A copy of the cached value; null when the key is known to be absent; undefined if not cached. */
  get(key: string): Buffer | null | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    entry.used = true;
    return entry.value === null ? null : Buffer.from(entry.value);
  }

  /** The shared parsed value of a cached key, or undefined (not cached, absent, or never parsed). */
  parsed(key: string): unknown {
    const value = this.#parsed.get(key);
    if (value === undefined) return undefined;
    this.#entries.get(key)!.used = true;
    return value;
  }

  /** True when the cache holds exactly `raw` for `key`. */
  holds(key: string, raw: Buffer): boolean {
    const held = this.#entries.get(key)?.value;
    return held?.equals(raw) === true;
  }

  /**
   * Remembers `parsed` (deep-frozen by the caller) as the parse of `raw`, if `raw` is still what
   * the cache holds for `key`: a write between the read and the parse leaves nothing behind.
   */
  attachParsed(key: string, raw: Buffer, parsed: unknown): void {
    const held = this.#entries.get(key)?.value;
    if (!held || this.#parsed.has(key) || !held.equals(raw)) return;
    this.#parsed.set(key, parsed);
    this.#bytes += parsedCost(held);
    this.#evict();
  }

  /**
   * Caches a copy of `value` (null: the key is absent) read at `generation`; dropped if a write
   * happened since.
   */
  set(key: string, value: Buffer | null, generation: number): void {
    if (generation < this.#floor || (this.#touched.get(key) ?? -1) > generation || this.#maxEntries <= 0)
      return;
    if (value !== null && value.length > MAX_VALUE_BYTES) return;
    this.#drop(key);
    let copy: Buffer | null = null;
    if (value !== null) {
      copy = Buffer.allocUnsafeSlow(value.length);
      value.copy(copy);
    }
    this.#entries.set(key, { value: copy, used: false });
    this.#bytes += cost(key, copy);
    this.#evict();
  }

  #evict(): void {
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.entries().next().value;
      if (oldest === undefined) break;
      const [key, entry] = oldest;
      if (entry.used) {
        // Second chance: to the back, unmarked. Each pass unmarks, so this ends.
        entry.used = false;
        this.#entries.delete(key);
        this.#entries.set(key, entry);
      } else this.#drop(key);
    }
  }

  /**
   * Before a write of `key`: drops it (see invalidate) and counts the write in flight. Returns the
   * write's ticket for endWrite: positive when the key held a value (the written value may then
   * replace it when the write ends), 0 when it did not.
   */
  beginWrite(key: string): number {
    const held = this.#entries.get(key)?.value;
    this.invalidate(key);
    const w = this.#writing.get(key);
    const ticket = this.#generation;
    if (w) {
      w.count++;
      w.last = ticket;
    } else this.#writing.set(key, { count: 1, last: ticket });
    return held !== undefined && held !== null ? ticket : 0;
  }

  /**
   * After a write of `key` (every beginWrite has one): drops it again, and caches `value` (the
   * plaintext written; undefined: nothing) if this was the last write of the key to begin and no
   * other is still in flight, so a secret written over is read back from memory. Keys that were
   * not cached, or known absent (a create), are not added: writes alone never grow the cache.
   */
  endWrite(key: string, ticket: number, value: Buffer | undefined): void {
    this.invalidate(key);
    const w = this.#writing.get(key);
    if (w && --w.count > 0) return;
    this.#writing.delete(key);
    if (value !== undefined && ticket > 0 && w?.last === ticket) this.set(key, value, this.#generation);
  }

  /** Called before and after every write of `key`. */
  invalidate(key: string): void {
    this.#generation++;
    if (this.#touched.size >= MAX_TOUCHED) {
      this.#touched.clear();
      this.#floor = this.#generation;
    }
    this.#touched.set(key, this.#generation);
    this.#drop(key);
  }

  /** Empties the cache and zeroes what it held. */
  clear(): void {
    this.#generation++;
    this.#touched.clear();
    this.#floor = this.#generation;
    for (const { value } of this.#entries.values()) if (value) discard(value);
    this.#entries.clear();
    // Parsed values are JS strings and objects: they cannot be zeroed, only let go.
    this.#parsed.clear();
    this.#bytes = 0;
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    const old = entry.value;
    this.#entries.delete(key);
    this.#bytes -= cost(key, old);
    if (this.#parsed.delete(key) && old) this.#bytes -= parsedCost(old);
    if (old) discard(old);
  }
}

/**
 * Zeroes a value the cache dropped and frees its memory at once. Each value has an ArrayBuffer of
 * its own (allocUnsafeSlow in set) that nothing outside the cache references; detaching it
 * (transfer) releases its malloc'd bytes now. Left to the garbage collector, the dropped values of
 * a cache under writes (promoted, long-lived) would pile up until the next major GC.
 */
function discard(value: Buffer): void {
  value.fill(0);
  const own = value.buffer;
  if (own instanceof ArrayBuffer && value.byteOffset === 0 && own.byteLength === value.length)
    own.transfer(0);
}

/**
 * What a shared parse costs beside its bytes: the objects and strings themselves, and what
 * readers derive from it once and keep as long as it lives (the response's JSON, the audit's
 * HMAC'd copy): counted as three copies of the value, so the cache's real footprint stays near
 * its byte budget.
 */
function parsedCost(raw: Buffer): number {
  return raw.length * 3;
}

function cost(key: string, value: Buffer | null): number {
  return key.length * 2 + (value?.length ?? 0) + ENTRY_OVERHEAD;
}
