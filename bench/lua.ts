/**
 * wrk Lua scripts: the request a scenario describes (method, path, headers, body) and, optionally,
 * a scenario's own `request()` function for random paths or mixed operations.
 */

/** What wrk sends: one fixed request, or `lua` that defines `request = function() ... end`. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /**
   * Lua run after the fixed request is set up; it sees `HEADERS` (a table of the spec's
   * headers), `BODY` (the spec's body or nil) and may define `request()`. Use fresh header
   * tables per call of wrk.format (it writes Content-Length into the table it is given).
   */
  readonly lua?: string;
  /**
   * The same choice as `lua`'s `request()`, for clients written in JavaScript (the instruction
   * counter): what differs from the fixed request this time.
   */
  readonly next?: () => {
    method?: RequestSpec['method'];
    path: string;
    body?: string;
    headers?: Readonly<Record<string, string>>;
  };
}

/** A Lua long string that cannot be closed by its content. */
export function luaString(s: string): string {
  let eq = '=';
  while (s.includes(`]${eq}]`)) eq += '=';
  return `[${eq}[${s}]${eq}]`;
}

/** The whole script for wrk's `-s`. */
export function luaScript(spec: RequestSpec): string {
  const headers = Object.entries(spec.headers ?? {})
    .map(([k, v]) => `  [ ${luaString(k)} ] = ${luaString(v)},`)
    .join('\n');
  const lines = [
    `HEADERS = {\n${headers}\n}`,
    `BODY = ${spec.body === undefined ? 'nil' : luaString(spec.body)}`,
    'function copy_headers(extra)',
    '  local t = {}',
    '  for k, v in pairs(HEADERS) do t[k] = v end',
    '  if extra then for k, v in pairs(extra) do t[k] = v end end',
    '  return t',
    'end',
    `wrk.method = ${luaString(spec.method)}`,
    `wrk.path = ${luaString(spec.path)}`,
    'for k, v in pairs(HEADERS) do wrk.headers[k] = v end',
    'math.randomseed(os.time())',
  ];
  // With a request() of its own, wrk.body stays unset: wrk.format falls back to it for GETs.
  if (spec.lua) lines.push(spec.lua);
  else if (spec.body !== undefined) lines.push('wrk.body = BODY');
  return `${lines.join('\n')}\n`;
}
