import { setTimeout as sleep } from 'node:timers/promises';
import type { Storage, StorageOp } from '../storage.ts';

/** The Storage operations a fault or a delay can target. */
export type FaultOp = 'get' | 'put' | 'delete' | 'list' | 'batch' | 'close';

/**
 * Decides whether a call fails: return an Error to fail it, undefined to let it through. `key` is
 * the key (the prefix for list, '' for close); a batch asks once per op, with that op's key
 * (once with '' if it is empty), and fails as a whole if any answer is an Error.
 */
export type FaultPredicate = (op: FaultOp, key: string) => Error | undefined;

/**
 * `before`: the call fails without reaching the wrapped storage (nothing written).
 * `after`: the call reaches the wrapped storage, then fails anyway (written, but the caller is
 * told it was not, like a lost acknowledgement).
 */
export type FaultWhen = 'before' | 'after';

export type FaultyStorageOptions = {
  /** Delay before each call reaches the wrapped storage: ms, or ms per op and key. */
  latencyMs?: number | ((op: FaultOp, key: string) => number);
  fault?: FaultPredicate;
};

/**
 * Wraps a Storage for tests, injecting errors and latency. With no faults configured it behaves
 * exactly like the wrapped storage (it runs the conformance suite).
 */
export class FaultyStorage implements Storage {
  readonly inner: Storage;
  /** Delay before each call; see FaultyStorageOptions. */
  latencyMs: number | ((op: FaultOp, key: string) => number);
  /** Consulted on every call, after the queued failNext faults. */
  fault: FaultPredicate | undefined;
  /** Calls made, per op (counted whether or not they failed). */
  readonly calls: Record<FaultOp, number> = { get: 0, put: 0, delete: 0, list: 0, batch: 0, close: 0 };
  readonly #next: { op: FaultOp; error: Error; when: FaultWhen }[] = [];

  constructor(inner: Storage, opts: FaultyStorageOptions = {}) {
    this.inner = inner;
    this.latencyMs = opts.latencyMs ?? 0;
    this.fault = opts.fault;
  }

  /** Fails the next `op` call (each call queues one fault; they are used in order). */
  failNext(op: FaultOp, error: Error = new Error(`injected ${op} fault`), when: FaultWhen = 'before'): void {
    this.#next.push({ op, error, when });
  }

  /** Drops queued faults, the predicate and the latency. */
  reset(): void {
    this.#next.length = 0;
    this.fault = undefined;
    this.latencyMs = 0;
  }

  get(key: string): Promise<Buffer | undefined> {
    return this.#call('get', [key], () => this.inner.get(key));
  }
  put(key: string, value: Buffer): Promise<void> {
    const v = copy(value);
    return this.#call('put', [key], () => this.inner.put(key, v));
  }
  delete(key: string): Promise<void> {
    return this.#call('delete', [key], () => this.inner.delete(key));
  }
  list(prefix: string): Promise<string[]> {
    return this.#call('list', [prefix], () => this.inner.list(prefix));
  }
  batch(ops: StorageOp[]): Promise<void> {
    // Copied now: with latency, the wrapped storage sees the values later.
    const copied = ops.map((o) => (o.op === 'put' ? { ...o, value: copy(o.value) } : o));
    const keys = ops.length === 0 ? [''] : ops.map((o) => o.key);
    return this.#call('batch', keys, () => this.inner.batch(copied));
  }
  close(): Promise<void> {
    return this.#call('close', [''], () => this.inner.close());
  }

  async #call<T>(op: FaultOp, keys: string[], run: () => Promise<T>): Promise<T> {
    this.calls[op]++;
    // Take the queued fault now, so concurrent calls each consume their own.
    const i = this.#next.findIndex((f) => f.op === op);
    const queued = i === -1 ? undefined : this.#next.splice(i, 1)[0];
    const ms = typeof this.latencyMs === 'function' ? this.latencyMs(op, keys[0] ?? '') : this.latencyMs;
    if (ms > 0) await sleep(ms);
    if (queued?.when === 'before') throw queued.error;
    if (this.fault !== undefined) {
      for (const key of keys) {
        const err = this.fault(op, key);
        if (err !== undefined) throw err;
      }
    }
    const result = await run();
    if (queued?.when === 'after') throw queued.error;
    return result;
  }
}

function copy(value: Buffer): Buffer {
  return value instanceof Uint8Array ? Buffer.from(value) : value;
}
