/**
 * Audit hashing: `hmac-sha256:<hex>` of strings with a per-device salt, and a copying walk that
 * hashes every string value of request / response data (numbers, booleans and null stay as they
 * are; keys are never hashed). Values under keys listed as non-HMAC are copied in the clear.
 */
import { createHmac, createSecretKey, type KeyObject, hash as oneShotHash, randomBytes } from 'node:crypto';
import { MAX_DATA_DEPTH } from '../../sdk/request.ts';
import { isShared } from '../../sdk/shared-value.ts';

export const HASH_PREFIX = 'hmac-sha256:';
/** Salt length in bytes. */
export const SALT_BYTES = 32;
/**
 * Deeper data is refused (a guard against runaway recursion). Everything the edge accepts must
 * pass, with room for the levels a response wraps around request data (kv v2 reads put the
 * secret under `data`): at 128, a body nested 129 to 500 deep was accepted by the edge and then
 * failed every audit device, so the request (or every later read of the secret) answered 500.
 */
const MAX_DEPTH = MAX_DATA_DEPTH + 16;

export function newSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}

/**
 * Per salt: the HMAC key, prepared once (a raw Buffer key is re-imported on every call), and the
 * HMACs of recently hashed strings. The same token, accessor and secret values come back request
 * after request, and an HMAC context costs several times a one-shot SHA-256, so a string is
 * looked up by its SHA-256 (memory only, never logged) and its HMAC computed once.
 */
interface Hasher {
  key: KeyObject;
  memo: Map<string, string>;
  /** Hashed copies of shared (deep-frozen, see sdk/shared-value.ts) values: computed once each. */
  shared: WeakMap<object, unknown>;
  /** The JSON of those hashed copies, made once each (see hashValueJSON). */
  sharedJSON: WeakMap<object, string>;
  /** Client tokens' HMACs by the token store's hash of the token (see hashClientToken). */
  byTokenHash: Map<string, string>;
}
const hashers = new WeakMap<Buffer, Hasher>();
/** Strings whose HMAC is remembered per salt; the memo is emptied when full. */
const MAX_MEMO = 4096;
/** Longer strings are hashed every time (their SHA-256 would cost about as much as the HMAC). */
const MAX_MEMO_LENGTH = 4096;

/** `hmac-sha256:<hex>` of `s`, keyed with the device's salt. */
export function hashString(salt: Buffer, s: string): string {
  return hashWith(hasherFor(salt), s);
}

function hasherFor(salt: Buffer): Hasher {
  let h = hashers.get(salt);
  if (!h) {
    h = {
      key: createSecretKey(salt),
      memo: new Map(),
      shared: new WeakMap(),
      sharedJSON: new WeakMap(),
      byTokenHash: new Map(),
    };
    hashers.set(salt, h);
  }
  return h;
}

/**
 * hashString of a client token whose token-store hash core already knows (Request.clientTokenHash):
 * remembered by that hash, so a token seen again costs a map lookup instead of a SHA-256.
 */
export function hashClientToken(salt: Buffer, token: string, tokenHash: string): string {
  const h = hasherFor(salt);
  let out = h.byTokenHash.get(tokenHash);
  if (out === undefined) {
    out = hashWith(h, token);
    if (h.byTokenHash.size >= MAX_MEMO) h.byTokenHash.clear();
    h.byTokenHash.set(tokenHash, out);
  }
  return out;
}

function hashWith(h: Hasher, s: string): string {
  if (s.length > MAX_MEMO_LENGTH)
    return HASH_PREFIX + createHmac('sha256', h.key).update(s, 'utf8').digest('hex');
  const id = oneShotHash('sha256', s, 'base64');
  let out = h.memo.get(id);
  if (out === undefined) {
    out = HASH_PREFIX + createHmac('sha256', h.key).update(s, 'utf8').digest('hex');
    if (h.memo.size >= MAX_MEMO) h.memo.clear();
    h.memo.set(id, out);
  }
  return out;
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
  const h = hasherFor(salt);
  const str = (s: string) => hashWith(h, s);
  // Without non-HMAC keys the hashed copy of a shared value depends on the value and the salt
  // only: it is made once and reused (a KV secret read again and again is hashed once).
  const memo = nonHmacKeys.size === 0 ? h.shared : undefined;
  return walk(value, 0, str, nonHmacKeys, memo);
}

/**
 * `JSON.stringify(hashValue(salt, value))` (no non-HMAC keys), written straight from `value`
 * without building the hashed copy: shared values come from the memo, serialized once each.
 */
export function hashValueJSON(salt: Buffer, value: unknown): string | undefined {
  return jsonWalk(hasherFor(salt), value, 0);
}

function jsonWalk(h: Hasher, value: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) throw new Error('audit: data nested too deeply');
  // An HMAC is the prefix and hex digits: nothing in it needs escaping.
  if (typeof value === 'string') return `"${hashWith(h, value)}"`;
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? `"${hashWith(h, value.toString())}"` : JSON.stringify(value);
  }
  if (isShared(value)) {
    let text = h.sharedJSON.get(value);
    if (text === undefined) {
      text = JSON.stringify(walk(value, depth, (s) => hashWith(h, s), NO_KEYS, h.shared)) as string;
      h.sharedJSON.set(value, text);
    }
    return text;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++)
      out += `${i === 0 ? '' : ','}${jsonWalk(h, value[i], depth + 1) ?? 'null'}`;
    return `${out}]`;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.stringify(walk(value, depth, (s) => hashWith(h, s), NO_KEYS, h.shared));
  }
  let out = '';
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const text = jsonWalk(h, (value as Record<string, unknown>)[k], depth + 1);
    if (text !== undefined) out += `${out === '' ? '{' : ','}${jsonString(k)}:${text}`;
  }
  return out === '' ? '{}' : `${out}}`;
}

/** Characters JSON.stringify writes as they are: printable ASCII without `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `JSON.stringify(s)` for a string, without the serializer's set-up for the common plain case. */
export function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** A deep, JSON-shaped copy (what `hashValue` does with log_raw). */
export function copyValue(value: unknown): unknown {
  return walk(value, 0, (s) => s, new Set());
}

function walk(
  value: unknown,
  depth: number,
  str: (s: string) => string,
  keep: ReadonlySet<string>,
  memo?: WeakMap<object, unknown>,
): unknown {
  if (depth > MAX_DEPTH) throw new Error('audit: data nested too deeply');
  if (typeof value === 'string') return str(value);
  if (value === null || typeof value !== 'object') {
    // numbers, booleans, undefined stay; bigints become decimal strings (JSON has none), hashed.
    return typeof value === 'bigint' ? str(value.toString()) : value;
  }
  if (memo && isShared(value)) {
    let out = memo.get(value);
    if (out === undefined) {
      out = walkObject(value, depth, str, keep, memo);
      memo.set(value, out);
    }
    return out;
  }
  return walkObject(value, depth, str, keep, memo);
}

function walkObject(
  value: object,
  depth: number,
  str: (s: string) => string,
  keep: ReadonlySet<string>,
  memo: WeakMap<object, unknown> | undefined,
): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, str, keep, memo));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return walk(toJSON.call(value), depth + 1, str, keep, memo);
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    out[k] = keep.has(k) ? walk(v, depth + 1, (s) => s, NO_KEYS) : walk(v, depth + 1, str, keep, memo);
  }
  return out;
}

const NO_KEYS: ReadonlySet<string> = new Set();
