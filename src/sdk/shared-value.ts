/**
 * Shared values: JSON data parsed once and handed to every reader (the barrier's parsed cache),
 * deep-frozen so no reader can change what the next one sees. Being registered here lets
 * consumers that derive something from such a value (the audit HMAC walk) compute it once per
 * value instead of once per request.
 */
const shared = new WeakSet<object>();

/** Deep-freezes `value` and registers it and every object in it as shared; returns it. */
export function shareFrozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !shared.has(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) shareFrozen(v);
    shared.add(value);
  }
  return value;
}

/** True for an object that `shareFrozen` made immutable (it and everything in it). */
export function isShared(value: object): boolean {
  return shared.has(value);
}
