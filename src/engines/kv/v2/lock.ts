import { KeyedLock } from '../../../sdk/keyed-lock.ts';

/**
 * Per-secret write serialization. Read-modify-write of a secret's metadata (check-and-set, version
 * numbering, pruning) must not interleave, so every write to one secret waits for the previous one.
 * Locks are scoped to a storage view (one per mount), so two mounts never wait on each other.
 */
const scopes = new WeakMap<object, KeyedLock>();

export function withLock<T>(scope: object, key: string, fn: () => Promise<T>): Promise<T> {
  let lock = scopes.get(scope);
  if (!lock) {
    lock = new KeyedLock();
    scopes.set(scope, lock);
  }
  return lock.run(key, fn);
}
