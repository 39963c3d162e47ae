import type { Storage, StorageOp } from '../storage.ts';

/**
 * Storage in a Map: for tests and `server -dev`. Values are copied in and out.
 * A directory index (folder → its entries, with a count of keys below each sub-folder) makes
 * `list` cost O(children), like the sqlite backend, so tree walks over many keys stay linear.
 */
export class InmemStorage implements Storage {
  readonly #data = new Map<string, Buffer>();
  /** Folder prefix ('' or 'a/b/') → entry ('x' or 'sub/') → number of keys it stands for. */
  readonly #dirs = new Map<string, Map<string, number>>();

  async get(key: string): Promise<Buffer | undefined> {
    const v = this.#data.get(key);
    return v === undefined ? undefined : Buffer.from(v);
  }
  async put(key: string, value: Buffer): Promise<void> {
    this.#put(key, value);
  }
  async delete(key: string): Promise<void> {
    this.#delete(key);
  }
  async list(prefix: string): Promise<string[]> {
    const dir = this.#dirs.get(prefix);
    return dir ? [...dir.keys()].sort() : [];
  }
  async batch(ops: StorageOp[]): Promise<void> {
    for (const op of ops) {
      if (op.op === 'put') this.#put(op.key, op.value);
      else this.#delete(op.key);
    }
  }
  async close(): Promise<void> {}
  /** For tests: how many keys are stored. */
  get size(): number {
    return this.#data.size;
  }

  #put(key: string, value: Buffer): void {
    if (!this.#data.has(key)) this.#index(key, 1);
    this.#data.set(key, Buffer.from(value));
  }

  #delete(key: string): void {
    if (this.#data.delete(key)) this.#index(key, -1);
  }

  /** Adds (+1) or removes (-1) one key from the entry counts of every folder above it. */
  #index(key: string, delta: 1 | -1): void {
    let start = 0;
    for (;;) {
      const slash = key.indexOf('/', start);
      const dir = key.slice(0, start);
      const entry = slash === -1 ? key.slice(start) : key.slice(start, slash + 1);
      let entries = this.#dirs.get(dir);
      if (!entries) {
        entries = new Map();
        this.#dirs.set(dir, entries);
      }
      const n = (entries.get(entry) ?? 0) + delta;
      if (n > 0) entries.set(entry, n);
      else entries.delete(entry);
      if (entries.size === 0) this.#dirs.delete(dir);
      if (slash === -1) return;
      start = slash + 1;
    }
  }
}
