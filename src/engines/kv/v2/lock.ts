/**
 * Per-secret write serialization. Read-modify-write of a secret's metadata (check-and-set, version
 * numbering, pruning) must not interleave, so every write to one secret waits for the previous one.
 * Locks are scoped to a storage view (one per mount), so two mounts never wait on each other.
 */
const scopes = new WeakMap<object, Map<string, Promise<void>>>();

export async function withLock<T>(scope: object, key: string, fn: () => Promise<T>): Promise<T> {
  let queue = scopes.get(scope);
  if (!queue) {
    queue = new Map();
    scopes.set(scope, queue);
  }
  const previous = queue.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  queue.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (queue.get(key) === tail) queue.delete(key);
  }
}
