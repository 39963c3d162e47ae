/** Path helpers: Vault paths are slash-separated, each segment percent-encoded once in the URL. */

/** Joins path parts with single slashes; keeps a trailing slash of the last non-empty part. */
export function joinPath(...parts: string[]): string {
  const kept = parts.filter((p) => p !== '');
  const last = kept.at(-1) ?? '';
  const joined = kept
    .map((p) => trimSlashes(p))
    .filter((p) => p !== '')
    .join('/');
  return last.endsWith('/') && joined !== '' ? `${joined}/` : joined;
}

export function trimSlashes(path: string): string {
  let start = 0;
  let end = path.length;
  while (start < end && path[start] === '/') start++;
  while (end > start && path[end - 1] === '/') end--;
  return path.slice(start, end);
}

/** Encodes each segment for use in a URL path; slashes stay separators. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** "/v1/secret/x" or "v1/secret/x" or "/secret/x" → "secret/x". */
export function apiPath(path: string): string {
  let p = path;
  while (p.startsWith('/')) p = p.slice(1);
  if (p.startsWith('v1/')) p = p.slice(3);
  return p;
}
