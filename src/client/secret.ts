/** Turning a response body into the Vault envelope the typed methods return. */
import type { Secret } from './types.ts';

/** The body as a Secret; a 204 (no body) becomes an empty envelope. */
export function secretOf<T>(body: unknown): Secret<T> {
  if (body !== null && typeof body === 'object') {
    const b = body as Partial<Secret<T>>;
    return {
      ...b,
      lease_id: b.lease_id ?? '',
      lease_duration: b.lease_duration ?? 0,
      renewable: b.renewable ?? false,
      data: b.data ?? null,
      warnings: b.warnings ?? null,
      wrap_info: b.wrap_info ?? null,
      auth: b.auth ?? null,
    };
  }
  return emptySecret<T>();
}

export function emptySecret<T>(): Secret<T> {
  return {
    request_id: '',
    lease_id: '',
    lease_duration: 0,
    renewable: false,
    data: null,
    warnings: null,
    wrap_info: null,
    auth: null,
  };
}
