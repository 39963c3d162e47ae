import { type Request, UnsupportedMediaTypeError } from '../../../sdk/index.ts';

export const MERGE_PATCH = 'application/merge-patch+json';

/** PATCH takes only JSON merge patches; Vault answers any other content type with 415. */
export function requireMergePatch(req: Request): void {
  const type = (req.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== MERGE_PATCH) {
    throw new UnsupportedMediaTypeError(`PATCH requires Content-Type: ${MERGE_PATCH}`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * RFC 7386 JSON merge patch: objects merge recursively, `null` removes a member, anything else
 * replaces. Returns a new value; neither input is changed. Members are created as own data
 * properties, so a `__proto__` key stays a key.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out = new Map<string, unknown>(isObject(target) ? Object.entries(target) : []);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) out.delete(key);
    else out.set(key, mergePatch(out.get(key), value));
  }
  return Object.fromEntries(out);
}
