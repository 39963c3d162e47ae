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

/** JSON text with its UTF-8 size: the Content-Length without another pass over the whole body. */
export interface SizedJSON {
  readonly text: string;
  readonly bytes: number;
}

/**
 * `JSON.stringify(buildEnvelope(requestId, res))` with its UTF-8 size, without serializing a
 * shared value (a cached, frozen secret: see sdk/shared-value.ts) again for every response: its
 * JSON and its size are made once. Values are JSON-shaped (what engines answer); a `toJSON` below
 * `data` is called with '' as its key. The size is summed over the pieces: each is whole JSON
 * (JSON escapes lone surrogates), so no character is split between two of them.
 */
export function envelopeBody(requestId: string, res: Response): SizedJSON {
  const e = res.envelope ?? {};
  const warnings = res.warnings && res.warnings.length > 0 ? res.warnings : null;
  const head =
    `{"request_id":${json(requestId)},"lease_id":${orDefault(e.lease_id, '""')},` +
    `"renewable":${orDefault(e.renewable, 'false')},"lease_duration":${orDefault(e.lease_duration, '0')},` +
    '"data":';
  const data = dataJSON(res.data ?? null);
  const tail =
    `,"wrap_info":${orDefault(e.wrap_info, 'null')},` +
    `"warnings":${orDefault(warnings, 'null')},"auth":${orDefault(e.auth, 'null')},` +
    `"mount_type":${orDefault(e.mount_type, '""')}}`;
  return { text: head + data.text + tail, bytes: utf8Bytes(head) + data.bytes + utf8Bytes(tail) };
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function sized(text: string): SizedJSON {
  return { text, bytes: utf8Bytes(text) };
}

/** The JSON of `value`, or `absent` (the JSON of the field's default) when it is null or undefined. */
function orDefault(value: unknown, absent: string): string {
  return value === undefined || value === null ? absent : json(value);
}

const sharedJSON = new WeakMap<object, SizedJSON>();

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** A plain object's members one by one, so that shared members come from the memo. */
function dataJSON(value: unknown): SizedJSON {
  if (value === null || typeof value !== 'object') return sized(json(value));
  if (isShared(value)) return memoJSON(value);
  if (Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) {
    return sized(json(value));
  }
  let out = '';
  let bytes = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const member = (value as Record<string, unknown>)[key];
    let text: string | undefined;
    if (member !== null && typeof member === 'object' && isShared(member)) {
      const memo = memoJSON(member);
      text = memo.text;
      bytes += memo.bytes;
    } else {
      text = JSON.stringify(member);
      if (text === undefined) continue; // undefined, functions, symbols: left out, as JSON.stringify does
      bytes += utf8Bytes(text);
    }
    const name = `${out === '' ? '{' : ','}${JSON.stringify(key)}:`;
    bytes += utf8Bytes(name);
    out += name + text;
  }
  return out === '' ? { text: '{}', bytes: 2 } : { text: `${out}}`, bytes: bytes + 1 };
}

function memoJSON(value: object): SizedJSON {
  let memo = sharedJSON.get(value);
  if (memo === undefined) {
    memo = sized(json(value));
    sharedJSON.set(value, memo);
  }
  return memo;
}
