import { InvalidPathError } from '../sdk/errors.ts';

/** The API prefix; everything under it goes to core. */
export const API_PREFIX = '/v1/';

export interface Target {
  /** The path, percent-decoded exactly once. */
  path: string;
  /** The raw query string, without the `?`. */
  query: string;
}

/**
 * Splits a request target into its decoded path and raw query. Accepts origin-form (`/v1/x?y`)
 * and absolute-form (`http://host/v1/x`, as proxies send it). Invalid percent-encoding, a raw
 * `#` or anything else that is not a path → InvalidPathError.
 */
export function parseTarget(url: string): Target {
  const q = url.indexOf('?');
  let raw = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  if (!raw.startsWith('/')) {
    const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(raw);
    if (absolute) raw = raw.slice(absolute[0].length) || '/';
  }
  if (!raw.startsWith('/') || raw.includes('#')) throw new InvalidPathError('invalid path');
  // Without a `%` there is nothing to decode (decodeURIComponent would return the same string).
  if (!raw.includes('%')) return { path: raw, query };
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    throw new InvalidPathError('invalid path');
  }
  return { path, query };
}

/** A control character or backslash, or an empty, `.` or `..` segment. */
const INVALID_PATH = /[\u0000-\u001f\u007f\\]|(?:^|\/)\.{0,2}(?:\/|$)/;

/**
 * The canonical API path of a decoded path under `/v1/`: without the prefix and without a single
 * trailing slash. Refuses `.` and `..` segments, empty segments, control characters and
 * backslashes (InvalidPathError). Returns undefined for paths outside `/v1/`, '' for `/v1/` itself.
 */
export function apiPath(decoded: string): string | undefined {
  if (!decoded.startsWith(API_PREFIX)) return undefined;
  let rest = decoded.slice(API_PREFIX.length);
  if (rest === '') return '';
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (INVALID_PATH.test(rest)) throw new InvalidPathError('invalid path');
  return rest;
}

/**
 * Query parameters as request data: a single value as a string, a repeated one as string[].
 * `list` and `help` steer the edge and are left out.
 */
export function queryData(query: string): Record<string, unknown> {
  if (query === '') return {};
  const values = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(query)) {
    if (key === 'list' || key === 'help') continue;
    const seen = values.get(key);
    if (seen) seen.push(value);
    else values.set(key, [value]);
  }
  return Object.fromEntries([...values].map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** A boolean query flag the way Vault reads one: absent → false, a true/false word, else undefined. */
export function queryFlag(query: string, name: string): boolean | undefined {
  if (query === '') return false;
  const value = new URLSearchParams(query).get(name);
  if (value === null) return false;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  return undefined;
}
