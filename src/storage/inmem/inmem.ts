import type { Storage, StorageOp } from '../storage.ts';

/** Storage in a Map: for tests and `server -dev`. Values are copied in and out. */
export class InmemStorage implements Storage {
  readonly #data = new Map<string, Buffer>();

  async get(key: string): Promise<Buffer | undefined> {
    const v = this.#data.get(key);
    return v === undefined ? undefined : Buffer.from(v);
  }
  async put(key: string, value: Buffer): Promise<void> {
    this.#data.set(key, Buffer.from(value));
  }
  async delete(key: string): Promise<void> {
    this.#data.delete(key);
  }
  async list(prefix: string): Promise<string[]> {
    const out = new Set<string>();
    for (const key of this.#data.keys()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      out.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    return [...out].sort();
  }
  async batch(ops: StorageOp[]): Promise<void> {
    for (const op of ops) {
      if (op.op === 'put') this.#data.set(op.key, Buffer.from(op.value));
      else this.#data.delete(op.key);
    }
  }
  async close(): Promise<void> {}
  /** For tests: how many keys are stored. */
  get size(): number {
    return this.#data.size;
  }
}
