import type { KeyObject } from 'node:crypto';
import {
  BadRequestError,
  IntegrityError,
  InvalidFieldError,
  InvalidPathError,
  NotInitializedError,
  SealedError,
} from '../../sdk/errors.ts';
import { shareFrozen } from '../../sdk/shared-value.ts';
import type { Storage, StorageOp } from '../../storage/storage.ts';
import { aesKey, decrypt, encrypt, INTEGRITY_MESSAGE, KEY_LENGTH, termOf } from './aead.ts';
import { Keyring } from './keyring.ts';
import { ReadCache, type ReadCacheOptions } from './read-cache.ts';

/** Where the keyring lives, encrypted with the root key (AAD = this path). */
export const KEYRING_PATH = 'core/keyring';
/** The seal's own physical keys; never reachable through the barrier. */
export const SEAL_PREFIX = 'core/seal/';

/** Test-only: the live key Buffers (root key first, then every term), to check they get zeroed. */
export const inspectKeyBuffers = Symbol('coffer.barrier.inspectKeyBuffers');

export interface KeyStatus {
  term: number;
  install_time: string;
  /** Encryptions with the active term since unseal (or since the term was installed). */
  encryptions: number;
}

interface Unsealed {
  rootKey: Buffer;
  rootKeyObject: KeyObject;
  keyring: Keyring;
  /** One KeyObject per term, built once, so a request costs one GCM operation and no key setup. */
  keyObjects: Map<number, KeyObject>;
  encryptions: number;
}

/**
 * The encrypting layer between core and physical storage. Every value is sealed with the active
 * keyring term (format in ./aead.ts; AAD = the path); keys pass through in the clear. While
 * sealed, every operation throws SealedError.
 *
 * Key material: the root key and terms are held in Buffers of their own and zeroed by seal().
 * Node's KeyObjects keep an internal copy that JS cannot overwrite; seal() drops every reference
 * so they are freed by the garbage collector.
 */
export class Barrier implements Storage {
  readonly #physical: Storage;
  readonly #now: () => Date;
  #state: Unsealed | undefined;
  /** initialize, unseal and rotate run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Decrypted values of recent reads (see ./read-cache.ts); undefined when disabled. */
  readonly #cache: ReadCache | undefined;

  constructor(physical: Storage, options: { now?: () => Date; cache?: ReadCacheOptions | false } = {}) {
    this.#physical = physical;
    this.#now = options.now ?? (() => new Date());
    this.#cache = options.cache === false ? undefined : new ReadCache(options.cache ?? {});
  }

  get sealed(): boolean {
    return this.#state === undefined;
  }

  async isInitialized(): Promise<boolean> {
    return (await this.#physical.get(KEYRING_PATH)) !== undefined;
  }

  /**
   * Creates keyring term 1 and stores it encrypted with `rootKey` (32 bytes; the caller keeps and
   * zeroes its Buffer). `alsoWrite` are physical writes committed in the same batch, so the seal's
   * config lands atomically with the keyring. Leaves the barrier sealed.
   */
  initialize(rootKey: Buffer, options: { alsoWrite?: StorageOp[] } = {}): Promise<void> {
    return this.#exclusive(async () => {
      checkRootKey(rootKey);
      if (await this.isInitialized()) throw new BadRequestError('Coffer is already initialized');
      const keyring = Keyring.create(this.#now());
      const plain = keyring.serialize();
      keyring.zeroize();
      let blob: Buffer;
      try {
        blob = encrypt(aesKey(rootKey), 0, plain, KEYRING_PATH);
      } finally {
        plain.fill(0);
      }
      await this.#physical.batch([
        { op: 'put', key: KEYRING_PATH, value: blob },
        ...(options.alsoWrite ?? []),
      ]);
    });
  }

  /**
   * Loads the keyring with `rootKey` (copied; the caller zeroes its own Buffer). A wrong root key
   * throws IntegrityError. Unsealing an unsealed barrier does nothing.
   */
  unseal(rootKey: Buffer): Promise<void> {
    return this.#exclusive(async () => {
      checkRootKey(rootKey);
      if (this.#state !== undefined) return;
      const blob = await this.#physical.get(KEYRING_PATH);
      if (blob === undefined) throw new NotInitializedError();
      const rootKeyObject = aesKey(rootKey);
      let plain: Buffer;
      try {
        plain = decrypt(rootKeyObject, 0, blob, KEYRING_PATH);
      } catch (err) {
        throw new IntegrityError('unseal failed: the keyring could not be decrypted', { cause: err });
      }
      let keyring: Keyring;
      try {
        keyring = Keyring.deserialize(plain);
      } finally {
        plain.fill(0);
      }
      const keyObjects = new Map<number, KeyObject>();
      for (const t of keyring.terms) keyObjects.set(t.term, aesKey(t.key));
      const copy = Buffer.alloc(KEY_LENGTH);
      rootKey.copy(copy);
      this.#state = { rootKey: copy, rootKeyObject, keyring, keyObjects, encryptions: 0 };
    });
  }

  /** Zeroes the root key and every term and forgets them. Idempotent. */
  seal(): void {
    const s = this.#state;
    if (s === undefined) return;
    this.#state = undefined;
    this.#cache?.clear();
    s.rootKey.fill(0);
    s.keyring.zeroize();
    s.keyObjects.clear();
  }

  /**
   * Adds a keyring term and stores the keyring again; new writes use the new term, values under
   * older terms still decrypt. If the barrier is sealed while the keyring is being stored, the new
   * term is durable but only loaded at the next unseal.
   */
  rotate(): Promise<{ term: number; install_time: string }> {
    return this.#exclusive(async () => {
      const s = this.#unsealed();
      const next = s.keyring.withNewTerm(this.#now());
      const plain = next.serialize();
      let blob: Buffer;
      try {
        blob = encrypt(s.rootKeyObject, 0, plain, KEYRING_PATH);
      } finally {
        plain.fill(0);
      }
      const { term, installTime } = next.active;
      try {
        await this.#physical.put(KEYRING_PATH, blob);
      } catch (err) {
        next.zeroize();
        throw err;
      }
      if (this.#state !== s) {
        next.zeroize();
      } else {
        s.keyObjects.set(term, aesKey(next.active.key));
        s.keyring.zeroize();
        s.keyring = next;
        s.encryptions = 0;
      }
      return { term, install_time: installTime.toISOString() };
    });
  }

  keyStatus(): KeyStatus {
    const s = this.#unsealed();
    const { term, installTime } = s.keyring.active;
    return { term, install_time: installTime.toISOString(), encryptions: s.encryptions };
  }

  async get(key: string): Promise<Buffer | undefined> {
    checkKey(key);
    this.#unsealed();
    const cache = this.#cache;
    const hit = cache?.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const generation = cache?.generation ?? 0;
    const blob = await this.#physical.get(key);
    if (blob === undefined) {
      if (this.#state !== undefined) cache?.set(key, null, generation);
      return undefined;
    }
    const plain = this.#open(key, blob);
    // Sealed meanwhile: the cache was emptied and must stay so.
    if (this.#state !== undefined) cache?.set(key, plain, generation);
    return plain;
  }

  /**
   * The value at `key` parsed as JSON, deep-frozen and shared: repeated reads of a cached key skip
   * the copy and the parse. Callers must not (and cannot) change what they get.
   */
  async getJSONShared(key: string): Promise<unknown> {
    const shared = this.#cache?.parsed(key);
    if (shared !== undefined) {
      checkKey(key);
      this.#unsealed();
      return shared;
    }
    const raw = await this.get(key);
    if (raw === undefined) return undefined;
    const parsed = shareFrozen(JSON.parse(raw.toString('utf8')));
    if (this.#state !== undefined) this.#cache?.attachParsed(key, raw, parsed);
    return parsed;
  }

  async put(key: string, value: Buffer): Promise<void> {
    checkKey(key);
    this.#unsealed();
    const cache = this.#cache;
    const ticket = cache?.beginWrite(key) ?? 0;
    let written = false;
    try {
      // Not a local (see batch).
      await this.#physical.put(key, this.#seal(key, value));
      written = true;
    } finally {
      cache?.endWrite(key, ticket, written && this.#state !== undefined ? value : undefined);
    }
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    this.#unsealed();
    const cache = this.#cache;
    const ticket = cache?.beginWrite(key) ?? 0;
    try {
      await this.#physical.delete(key);
    } finally {
      cache?.endWrite(key, ticket, undefined);
    }
  }

  async list(prefix: string): Promise<string[]> {
    this.#unsealed();
    return this.#physical.list(prefix);
  }

  async batch(ops: StorageOp[]): Promise<void> {
    for (const op of ops) checkKey(op.key);
    this.#unsealed();
    const cache = this.#cache;
    const tickets = ops.map((op) => cache?.beginWrite(op.key) ?? 0);
    let written = false;
    try {
      // The sealed values are not a local: those of a suspended async function stay reachable
      // until it ends, and the ciphertexts would outlive the commit's wait for the disk.
      await this.#physical.batch(this.#sealOps(ops));
      written = true;
    } finally {
      const keep = written && this.#state !== undefined;
      for (const [i, op] of ops.entries()) {
        const value = keep && op.op === 'put' ? op.value : undefined;
        cache?.endWrite(op.key, tickets[i]!, value);
        // The writer's own parse of what it wrote: the next shared read of the key skips its parse.
        if (
          value !== undefined &&
          op.op === 'put' &&
          op.parsed !== undefined &&
          cache?.holds(op.key, value)
        ) {
          cache.attachParsed(op.key, value, shareFrozen(op.parsed));
        }
      }
    }
  }

  /** Entries and bytes in the read cache (for status and tests). */
  cacheStats(): { entries: number; bytes: number } | undefined {
    const c = this.#cache;
    return c ? { entries: c.size, bytes: c.bytes } : undefined;
  }

  /** Seals, then closes the physical storage. */
  async close(): Promise<void> {
    this.seal();
    await this.#physical.close();
  }

  [inspectKeyBuffers](): Buffer[] {
    const s = this.#unsealed();
    return [s.rootKey, ...s.keyring.terms.map((t) => t.key)];
  }

  #unsealed(): Unsealed {
    if (this.#state === undefined) throw new SealedError();
    return this.#state;
  }

  #seal(key: string, value: Buffer): Buffer {
    const s = this.#unsealed();
    const { term } = s.keyring.active;
    const blob = encrypt(s.keyObjects.get(term)!, term, value, key);
    s.encryptions++;
    return blob;
  }

  /** The ops with sealed values, as the physical storage gets them (no `parsed`). */
  #sealOps(ops: StorageOp[]): StorageOp[] {
    return ops.map(
      (op): StorageOp =>
        op.op === 'put' ? { op: 'put', key: op.key, value: this.#seal(op.key, op.value) } : op,
    );
  }

  #open(key: string, blob: Buffer): Buffer {
    const s = this.#unsealed();
    const term = termOf(blob);
    const keyObject = term === undefined ? undefined : s.keyObjects.get(term);
    if (term === undefined || keyObject === undefined) {
      throw new IntegrityError(INTEGRITY_MESSAGE, { details: { path: key } });
    }
    return decrypt(keyObject, term, blob, key, { path: key });
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => {});
    return run;
  }
}

function checkRootKey(rootKey: Buffer): void {
  if (rootKey.length !== KEY_LENGTH) throw new InvalidFieldError('root key must be 32 bytes');
}

/** The keyring and the seal's keys are stored physically; the barrier refuses to touch them. */
function checkKey(key: string): void {
  if (key === KEYRING_PATH || key.startsWith(SEAL_PREFIX)) {
    throw new InvalidPathError('storage key is reserved for the barrier and the seal');
  }
}
