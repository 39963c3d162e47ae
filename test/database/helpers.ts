/**
 * Shared pieces of the database acceptance tests: HTTP calls against a server, polling, direct
 * PostgreSQL / MariaDB / Redis checks, and a real server process on sqlite that is initialized,
 * unsealed and restarted over HTTP.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createClient } from 'redis';
import { type ServerProcess, startServerProcess } from '../helpers/process.ts';
import { redact } from '../helpers/redact.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON answers of the API, asserted field by field
export type Json = any;

export interface Reply {
  status: number;
  text: string;
  json: Json;
}

/** One HTTP call to `url/v1/path`. */
export async function call(
  url: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['X-Vault-Token'] = token;
  const res = await fetch(`${url}/v1/${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Json;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

export interface Api {
  call(method: string, path: string, body?: unknown): Promise<Reply>;
  /** Like call, but asserts a 2xx answer and returns its JSON. */
  ok(method: string, path: string, body?: unknown): Promise<Json>;
}

export function api(url: () => string, token: () => string): Api {
  const c = (method: string, path: string, body?: unknown) => call(url(), token(), method, path, body);
  return {
    call: c,
    async ok(method, path, body) {
      const r = await c(method, path, body);
      assert.ok(r.status >= 200 && r.status < 300, `${method} ${path} → ${r.status}: ${redact(r.text)}`);
      return r.json;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every `everyMs` until true; returns the Date.now() it first held, or undefined. */
export async function waitFor(
  cond: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return Date.now();
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}

/** Runs `fn(i)` for i in [0, n) with `width` in flight; results in order (errors as Error). */
export async function pool<T>(
  n: number,
  width: number,
  fn: (i: number) => Promise<T>,
): Promise<(T | Error)[]> {
  const out: (T | Error)[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      try {
        out[i] = await fn(i);
      } catch (err) {
        out[i] = err as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
  return out;
}

// ---- PostgreSQL ------------------------------------------------------------------------------

export const LOCAL_PG = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function pgQuery(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

export async function pgCanLogin(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

export async function pgRoleExists(adminUrl: string, name: string): Promise<boolean> {
  return ((await pgQuery(adminUrl, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount ?? 0) > 0;
}

/** Role names in pg_roles starting with `prefix`. */
export async function pgRolesLike(adminUrl: string, prefix: string): Promise<Set<string>> {
  const r = await pgQuery(adminUrl, 'SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)', [prefix]);
  return new Set(r.rows.map((row: { rolname: string }) => row.rolname));
}

/** Drops roles starting with `prefix` (cleanup of what a failed run left). */
export async function pgDropRolesLike(adminUrl: string, prefix: string): Promise<void> {
  for (const name of await pgRolesLike(adminUrl, prefix)) {
    await pgQuery(adminUrl, `DROP OWNED BY "${name.replaceAll('"', '""')}"`).catch(() => {});
    await pgQuery(adminUrl, `DROP ROLE IF EXISTS "${name.replaceAll('"', '""')}"`).catch(() => {});
  }
}

// ---- MariaDB / Redis -------------------------------------------------------------------------

export const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

export async function mysqlQuery(sql: string, params: unknown[] = []): Promise<Json[]> {
  const c = await mysql.createConnection(MYSQL);
  try {
    const [rows] = await c.query(sql, params);
    return rows as Json[];
  } finally {
    await c.end();
  }
}

export async function mysqlCanLogin(user: string, password: string, sql?: string): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user, password });
    try {
      if (sql) await c.query(sql);
    } finally {
      await c.end();
    }
    return true;
  } catch {
    return false;
  }
}

export async function redisAclUsers(): Promise<string[]> {
  const c = createClient({ socket: { host: '127.0.0.1', port: 6379 } });
  await c.connect();
  try {
    return await c.sendCommand(['ACL', 'USERS']);
  } finally {
    c.destroy();
  }
}

export async function redisCanLogin(user: string, password: string): Promise<boolean> {
  const c = createClient({ socket: { host: '127.0.0.1', port: 6379, reconnectStrategy: false } });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.sendCommand(['AUTH', user, password]);
    return true;
  } catch {
    return false;
  } finally {
    c.destroy();
  }
}

// ---- a real server on sqlite -------------------------------------------------------------------

export interface SqliteServer {
  server: ServerProcess;
  rootToken: string;
  keys: string[];
  api: Api;
  /** Starts again on the same file (after stop/SIGKILL) and unseals; returns ms to unsealed. */
  restart(): Promise<number>;
}

/** Starts `coffer server` on a sqlite file in `dir`, initializes (1 share) and unseals it. */
export async function startSqliteServer(dir: string): Promise<SqliteServer> {
  const configHCL = `storage "sqlite" {\n  path = "${join(dir, 'coffer.db')}"\n}\n`;
  const s: SqliteServer = {
    server: await startServerProcess({ configHCL, dir }),
    rootToken: '',
    keys: [],
    api: api(
      () => s.server.url,
      () => s.rootToken,
    ),
    async restart() {
      s.server = await startServerProcess({ configHCL, dir });
      const t0 = Date.now();
      await unseal(s.server.url, s.keys);
      return Date.now() - t0;
    },
  };
  const init = await call(s.server.url, undefined, 'PUT', 'sys/init', {
    secret_shares: 1,
    secret_threshold: 1,
  });
  assert.equal(init.status, 200, init.text);
  s.rootToken = init.json.root_token;
  s.keys = init.json.keys_base64 ?? init.json.keys;
  await unseal(s.server.url, s.keys);
  return s;
}

export async function unseal(url: string, keys: string[]): Promise<void> {
  for (const key of keys) {
    const r = await call(url, undefined, 'PUT', 'sys/unseal', { key });
    assert.equal(r.status, 200, `unseal: ${redact(r.text)}`);
    if (r.json.sealed === false) return;
  }
  assert.fail('still sealed after every key');
}
