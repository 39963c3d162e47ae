/**
 * Audit hashing: `hmac-sha256:<hex>` of strings with a per-device salt, and a copying walk that
 * hashes every string value of request / response data (numbers, booleans and null stay as they
 * are; keys are never hashed). Values under keys listed as non-HMAC are copied in the clear.
 */
import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';

export const HASH_PREFIX = 'hmac-sha256:';
/** Salt length in bytes. */
export const SALT_BYTES = 32;
const MAX_DEPTH = 128;

export function newSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}

/** HMAC keys prepared once per salt Buffer (a raw Buffer key is re-imported on every call). */
const keys = new WeakMap<Buffer, KeyObject>();

/** `hmac-sha256:<hex>` of `s`, keyed with the device's salt. */
export function hashString(salt: Buffer, s: string): string {
  let key = keys.get(salt);
  if (!key) {
    key = createSecretKey(salt);
    keys.set(salt, key);
  }
  return HASH_PREFIX + createHmac('sha256', key).update(s, 'utf8').digest('hex');
}

/**
 * A deep copy of `value` with every string replaced by its HMAC, except the values (whole
 * subtrees) of object keys in `nonHmacKeys`, at any depth. The input is never mutated.
 */
export function hashValue(
  salt: Buffer,
  value: unknown,
  nonHmacKeys: ReadonlySet<string> = new Set(),
): unknown {
  return walk(value, 0, (s) => hashString(salt, s), nonHmacKeys);
}

/** A deep, JSON-shaped copy (what `hashValue` does with log_raw). */
export function copyValue(value: unknown): unknown {
  return walk(value, 0, (s) => s, new Set());
}

function walk(value: unknown, depth: number, str: (s: string) => string, keep: ReadonlySet<string>): unknown {
  if (depth > MAX_DEPTH) throw new Error('audit: data nested too deeply');
  if (typeof value === 'string') return str(value);
  if (value === null || typeof value !== 'object') {
    // numbers, booleans, undefined stay; bigints become decimal strings (JSON has none), hashed.
    return typeof value === 'bigint' ? str(value.toString()) : value;
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, str, keep));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return walk(toJSON.call(value), depth + 1, str, keep);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = keep.has(k) ? walk(v, depth + 1, (s) => s, new Set()) : walk(v, depth + 1, str, keep);
  }
  return out;
}
