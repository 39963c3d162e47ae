/**
 * The storage interface every backend implements (inmem, sqlite, postgresql) and the barrier
 * wraps. Keys are `/`-separated paths that never hold secrets; values are opaque bytes.
 * Every implementation runs the conformance suite in ./conformance.ts.
 */
export type StorageOp =
  | {
      op: 'put';
      key: string;
      value: Buffer;
      /**
       * The value's JSON, parsed, when the writer has it at hand (`value` is its serialization).
       * A layer with a parsed-value cache (the barrier) may keep it, deep-frozen, for the next
       * shared read instead of parsing `value` again: the writer must not change it afterwards.
       * Backends ignore it.
       */
      parsed?: unknown;
    }
  | { op: 'delete'; key: string };

export interface Storage {
  get(key: string): Promise<Buffer | undefined>;
  /** Resolves once the write is durable (for durable backends). */
  put(key: string, value: Buffer): Promise<void>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * One level below `prefix` (which is '' or ends in '/'): plain keys as their last segment, and
   * folders (keys with more segments) as `name/`, each once, sorted by code unit.
   */
  list(prefix: string): Promise<string[]>;
  /** All or nothing, durable when it resolves. */
  batch(ops: StorageOp[]): Promise<void>;
  close(): Promise<void>;
}

/** Config as it comes from a `storage "type" { ... }` block. */
export type StorageConfig = Record<string, unknown>;
