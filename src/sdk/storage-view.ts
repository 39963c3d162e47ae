import type { Storage, StorageOp } from '../storage/storage.ts';

/** A `.` or `..` path segment anywhere in a key. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * A prefix-chrooted window on (barrier-encrypted) storage. Engines get one per mount and cannot
 * see outside it. Keys are relative to the prefix.
 */
export class StorageView {
  readonly #inner: Pick<Storage, 'get' | 'put' | 'delete' | 'list' | 'batch'>;
  readonly prefix: string;

  constructor(inner: Pick<Storage, 'get' | 'put' | 'delete' | 'list' | 'batch'>, prefix: string) {
    if (prefix !== '' && !prefix.endsWith('/')) throw new Error('storage view prefix must end in /');
    this.#inner = inner;
    this.prefix = prefix;
  }

  #key(key: string): string {
    // Most keys have no dot at all: indexOf spares them the regular expression.
    if (key.startsWith('/') || (key.indexOf('.') !== -1 && DOT_SEGMENT.test(key))) {
      throw new Error('invalid storage key');
    }
    return this.prefix + key;
  }

  get(key: string): Promise<Buffer | undefined> {
    return this.#inner.get(this.#key(key));
  }
  put(key: string, value: Buffer): Promise<void> {
    return this.#inner.put(this.#key(key), value);
  }
  delete(key: string): Promise<void> {
    return this.#inner.delete(this.#key(key));
  }
  list(prefix: string): Promise<string[]> {
    return this.#inner.list(this.#key(prefix));
  }
  batch(ops: StorageOp[]): Promise<void> {
    return this.#inner.batch(ops.map((o) => this.#op(o)));
  }
  /** `o` with its key below the prefix; built field by field (a spread is a slow generic copy). */
  #op(o: StorageOp): StorageOp {
    const key = this.#key(o.key);
    if (o.op === 'delete') return { op: 'delete', key };
    if (o.op !== 'put') return { ...(o as StorageOp), key };
    return o.parsed === undefined
      ? { op: 'put', key, value: o.value }
      : { op: 'put', key, value: o.value, parsed: o.parsed };
  }
  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }
  async getJSON<T>(key: string): Promise<T | undefined> {
    const raw = await this.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as T);
  }
  /**
   * Like getJSON, but the value may be shared with other readers and is deep-frozen: for read
   * paths that only look. Served from the barrier's parsed cache when the storage has one.
   */
  async getJSONShared<T>(key: string): Promise<Readonly<T> | undefined> {
    const inner = this.#inner as { getJSONShared?: (key: string) => Promise<unknown> };
    if (typeof inner.getJSONShared === 'function') {
      return (await inner.getJSONShared(this.#key(key))) as Readonly<T> | undefined;
    }
    return this.getJSON<T>(key);
  }
  putJSON(key: string, value: unknown): Promise<void> {
    return this.put(key, Buffer.from(JSON.stringify(value), 'utf8'));
  }
  /** A narrower view below this one. */
  sub(prefix: string): StorageView {
    return new StorageView(this.#inner, this.#key(prefix));
  }
  /** Every key below `prefix`, recursively (relative to this view). */
  async listAll(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    for (const entry of await this.list(prefix)) {
      if (entry.endsWith('/')) out.push(...(await this.listAll(prefix + entry)));
      else out.push(prefix + entry);
    }
    return out;
  }
}
