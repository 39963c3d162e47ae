/**
 * A stored connection_url as a read shows it: a literal password in it is replaced by `*****`
 * (`{{password}}`, filled from the `password` field, stays). Each form the plugins accept:
 *
 * - URL (`postgres://`, `redis://`): the userinfo's password, up to the last `@` of the authority
 *   (as URL parsers read it, so a raw `@` in the password is masked whole);
 * - libpq key=value (`host=h password=secret`): the values of `password` and `sslpassword`, quoted
 *   or not (an unterminated quote masks the rest);
 * - Go MySQL DSN (`user:secret@tcp(h:3306)/db`): between the first `:` and the last `@` before the
 *   last `/`, as go-sql-driver splits it.
 */
const MASK = '*****';
const TEMPLATE = '{{password}}';

export function redactConnectionURL(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) return redactURL(url);
  if (/^\s*[A-Za-z_]+\s*=/.test(url)) return redactKeyValue(url);
  return redactDSN(url);
}

function redactURL(url: string): string {
  const start = url.indexOf('//') + 2;
  const end = url.slice(start).search(/[/?#]/);
  const stop = end < 0 ? url.length : start + end;
  return url.slice(0, start) + redactUserinfo(url.slice(start, stop)) + url.slice(stop);
}

/** `user:secret@host` → `user:*****@host`: from the first `:` to the last `@`. */
function redactUserinfo(s: string): string {
  const at = s.lastIndexOf('@');
  const colon = s.indexOf(':');
  if (at < 0 || colon < 0 || colon > at || s.slice(colon + 1, at) === TEMPLATE) return s;
  return `${s.slice(0, colon + 1)}${MASK}${s.slice(at)}`;
}

function redactKeyValue(dsn: string): string {
  return dsn.replace(
    /((?:^|\s)(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)/g,
    (m, key: string, value: string) =>
      value === TEMPLATE || value === `'${TEMPLATE}'` ? m : `${key}${MASK}`,
  );
}

function redactDSN(dsn: string): string {
  const slash = dsn.lastIndexOf('/');
  const head = slash < 0 ? dsn : dsn.slice(0, slash);
  return redactUserinfo(head) + dsn.slice(head.length);
}
