import type { Response } from '../sdk/request.ts';
import { isShared } from '../sdk/shared-value.ts';

export type { EnvelopeFields } from '../sdk/request.ts';

/** The Vault JSON envelope around a response's data, in Vault's field order. */
export function buildEnvelope(requestId: string, res: Response): Record<string, unknown> {
  const extra = res.envelope ?? {};
  return {
    request_id: requestId,
    lease_id: extra.lease_id ?? '',
    renewable: extra.renewable ?? false,
    lease_duration: extra.lease_duration ?? 0,
    data: res.data ?? null,
    wrap_info: extra.wrap_info ?? null,
    warnings: res.warnings && res.warnings.length > 0 ? res.warnings : null,
    auth: extra.auth ?? null,
    mount_type: extra.mount_type ?? '',
  };
}

/** Whether a response is sent in the envelope (otherwise: raw, or 204 without a body). */
export function hasEnvelope(res: Response): boolean {
  const extra = res.envelope;
  return (
    res.data !== undefined || (res.warnings !== undefined && res.warnings.length > 0) || extra !== undefined
  );
}

/**
 * `JSON.stringify(buildEnvelope(requestId, res))`, without serializing a shared value (a cached,
 * frozen secret: see sdk/shared-value.ts) again for every response: its JSON is made once. Values
 * are JSON-shaped (what engines answer); a `toJSON` below `data` is called with '' as its key.
 */
export function envelopeJSON(requestId: string, res: Response): string {
  const e = res.envelope ?? {};
  const warnings = res.warnings && res.warnings.length > 0 ? res.warnings : null;
  return (
    `{"request_id":${json(requestId)},"lease_id":${orDefault(e.lease_id, '""')},` +
    `"renewable":${orDefault(e.renewable, 'false')},"lease_duration":${orDefault(e.lease_duration, '0')},` +
    `"data":${dataJSON(res.data ?? null)},"wrap_info":${orDefault(e.wrap_info, 'null')},` +
    `"warnings":${orDefault(warnings, 'null')},"auth":${orDefault(e.auth, 'null')},` +
    `"mount_type":${orDefault(e.mount_type, '""')}}`
  );
}

/** The JSON of `value`, or `absent` (the JSON of the field's default) when it is null or undefined. */
function orDefault(value: unknown, absent: string): string {
  return value === undefined || value === null ? absent : json(value);
}

const sharedJSON = new WeakMap<object, string>();

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** A plain object's members one by one, so that shared members come from the memo. */
function dataJSON(value: unknown): string {
  if (value === null || typeof value !== 'object') return json(value);
  if (isShared(value)) return memoJSON(value);
  if (Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) {
    return json(value);
  }
  let out = '';
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const member = (value as Record<string, unknown>)[key];
    const text =
      member !== null && typeof member === 'object' && isShared(member)
        ? memoJSON(member)
        : JSON.stringify(member);
    if (text === undefined) continue; // undefined, functions, symbols: left out, as JSON.stringify does
    out += `${out === '' ? '{' : ','}${JSON.stringify(key)}:${text}`;
  }
  return out === '' ? '{}' : `${out}}`;
}

function memoJSON(value: object): string {
  let text = sharedJSON.get(value);
  if (text === undefined) {
    text = json(value);
    sharedJSON.set(value, text);
  }
  return text;
}
