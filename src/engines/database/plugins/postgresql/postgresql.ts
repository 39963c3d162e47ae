/**
 * The PostgreSQL database plugin (`postgresql-database-plugin`) on `pg`. One pool per
 * initialize; every statement set runs in one transaction on one client. Names, passwords and
 * expirations reach SQL only through the statement templates (./template.ts), whose literal
 * escaping assumes standard_conforming_strings, so each transaction sets it locally.
 */
import pg from 'pg';
import type {
  DatabasePlugin,
  DeleteUserRequest,
  NewUserRequest,
  PluginConfig,
  PluginFactory,
  UpdateUserRequest,
} from '../../plugin.ts';
import { postgresDialect, renderStatement, splitStatements, type TemplateValues } from '../../template.ts';

export const DEFAULT_CREATION = [
  `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
];
export const DEFAULT_ROTATION = [`ALTER ROLE "{{name}}" WITH PASSWORD '{{password}}';`];
export const DEFAULT_RENEW = [`ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}';`];
/** Run after the live sessions of the role are terminated, when the role exists. */
export const DEFAULT_REVOCATION = [
  'REASSIGN OWNED BY "{{name}}" TO CURRENT_USER;',
  'DROP OWNED BY "{{name}}";',
  'DROP ROLE IF EXISTS "{{name}}";',
];

/** SQLSTATEs of conflicts between concurrent transactions (concurrent GRANTs on the same objects). */
const CONFLICT_CODES = new Set(['40P01', '40001']);
const MAX_USERNAME_BYTES = 63;
/** pg_advisory_xact_lock key shared by every Coffer creating or dropping roles ("Coffer" in ASCII). */
const ADVISORY_LOCK_KEY = '74145738417522';

/** Everything this plugin throws. `message` never holds a password; `code` is the SQLSTATE or errno. */
export class PostgresPluginError extends Error {
  readonly code: string | undefined;
  /** A conflict with a concurrent transaction: trying again may succeed. */
  readonly retryable: boolean;
  /** `connection`: could not reach or log in to the database; `statement`: a statement failed. */
  readonly kind: 'connection' | 'statement' | 'config';
  constructor(
    message: string,
    opts: { code?: string | undefined; retryable?: boolean; kind: 'connection' | 'statement' | 'config' },
  ) {
    super(message);
    this.name = 'PostgresPluginError';
    this.code = opts.code;
    this.retryable = opts.retryable ?? false;
    this.kind = opts.kind;
  }
}

export interface PostgresPluginOptions {
  /** Tries of a creation that hit a concurrency conflict (default 8). */
  createAttempts?: number;
  /** Sleeps between tries; injected so tests can count them. */
  sleep?(ms: number): Promise<void>;
  /** Called on every retried conflict (metrics, tests). */
  onRetry?(info: { attempt: number; code: string | undefined }): void;
}

function isConflict(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code !== 'string') return false;
  if (CONFLICT_CODES.has(e.code)) return true;
  return e.code === 'XX000' && typeof e.message === 'string' && e.message.includes('concurrently');
}

/** `YYYY-MM-DD HH:MM:SS+00`, as PostgreSQL's VALID UNTIL takes it. */
export function formatExpiration(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new PostgresPluginError('invalid expiration', { kind: 'config' });
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}+00`;
}

const SECRET_KEYS = new Set(['password', 'sslkey', 'sslpassword']);

/** Parses `host=… user='a b' password=…` (libpq key=value) into pg client options. */
function parseKeyValueDsn(dsn: string, values: { username: string; password: string }): pg.ClientConfig {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/y;
  let i = 0;
  while (i < dsn.length) {
    if (dsn.slice(i).trim() === '') break;
    re.lastIndex = i;
    const m = re.exec(dsn);
    if (!m)
      throw new PostgresPluginError('connection_url is not a valid key=value connection string', {
        kind: 'config',
      });
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    out[m[1]!] = raw.replaceAll('{{username}}', values.username).replaceAll('{{password}}', values.password);
    i = re.lastIndex;
  }
  const cfg: pg.ClientConfig = {};
  for (const [k, v] of Object.entries(out)) {
    if (k === 'host' || k === 'hostaddr') cfg.host = v;
    else if (k === 'port') cfg.port = Number(v);
    else if (k === 'user') cfg.user = v;
    else if (k === 'password') cfg.password = v;
    else if (k === 'dbname') cfg.database = v;
    else if (k === 'connect_timeout') cfg.connectionTimeoutMillis = Number(v) * 1000;
    else if (k === 'application_name') cfg.application_name = v;
    else if (k === 'sslmode')
      cfg.ssl = v === 'disable' ? false : v === 'require' ? { rejectUnauthorized: false } : true;
    else if (!SECRET_KEYS.has(k)) {
      // Unknown keys are ignored rather than echoed (they might hold secrets).
    }
  }
  return cfg;
}

/** pg client options from the plugin config; throws without echoing the URL. */
export function clientConfig(config: PluginConfig): pg.ClientConfig {
  const url = config.connection_url;
  if (typeof url !== 'string' || url.trim() === '') {
    throw new PostgresPluginError('connection_url is required', { kind: 'config' });
  }
  const username = typeof config.username === 'string' ? config.username : '';
  const password = typeof config.password === 'string' ? config.password : '';
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const raw = config.disable_escaping === true;
    const enc = (s: string) => (raw ? s : encodeURIComponent(s));
    const connectionString = url
      .replaceAll('{{username}}', enc(username))
      .replaceAll('{{password}}', enc(password));
    try {
      // Parse here so a malformed URL fails now, with a message of ours.
      new URL(connectionString);
    } catch {
      throw new PostgresPluginError('connection_url is not a valid URL', { kind: 'config' });
    }
    return { connectionString };
  }
  if (url.includes('=')) return parseKeyValueDsn(url, { username, password });
  throw new PostgresPluginError('connection_url must be a postgres:// URL or a key=value string', {
    kind: 'config',
  });
}

function durationSeconds(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === 'string') {
    const m = /^(\d+)(s|m|h)?$/.exec(v.trim());
    if (m) return Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  }
  return 0;
}

export class PostgresqlPlugin implements DatabasePlugin {
  readonly name = 'postgresql-database-plugin';
  readonly maxUsernameLength = MAX_USERNAME_BYTES;
  #pool: pg.Pool | undefined;
  #config: PluginConfig | undefined;
  readonly #attempts: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onRetry: ((info: { attempt: number; code: string | undefined }) => void) | undefined;
  /** In-process queue of creations and default revocations (see #serialized). */
  #createQueue: Promise<void> = Promise.resolve();

  constructor(opts: PostgresPluginOptions = {}) {
    this.#attempts = Math.max(1, opts.createAttempts ?? 8);
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#onRetry = opts.onRetry;
  }

  async initialize(config: PluginConfig, opts: { verifyConnection: boolean }): Promise<void> {
    const client = clientConfig(config);
    const pool = new pg.Pool({
      ...client,
      max: positiveInt(config.max_open_connections, 4),
      idleTimeoutMillis: 30_000,
      maxLifetimeSeconds: durationSeconds(config.max_connection_lifetime),
      connectionTimeoutMillis: client.connectionTimeoutMillis ?? 10_000,
    });
    // An idle client losing its server (restart, outage) must not crash the process.
    pool.on('error', () => {});
    if (opts.verifyConnection) {
      const secrets = typeof config.password === 'string' ? [config.password] : [];
      try {
        const c = await pool.connect().catch((err) => {
          throw this.#wrap(err, 'connecting to the database failed', secrets, 'connection');
        });
        try {
          // Template literals are escaped for standard_conforming_strings = on (set again in
          // every transaction); a server that refuses it is refused.
          await c.query('SET standard_conforming_strings = on');
        } finally {
          c.release();
        }
      } catch (err) {
        await pool.end().catch(() => {});
        throw this.#wrap(err, 'verifying the connection failed', secrets);
      }
    }
    // Swap only once the new pool is known good: a failed re-initialize keeps the old one.
    const old = this.#pool;
    this.#pool = pool;
    this.#config = { ...config };
    if (old) void old.end().catch(() => {});
  }

  async newUser(req: NewUserRequest): Promise<void> {
    if (Buffer.byteLength(req.username) > MAX_USERNAME_BYTES) {
      throw new PostgresPluginError(`username is longer than ${MAX_USERNAME_BYTES} bytes`, {
        kind: 'config',
      });
    }
    const values: TemplateValues = {
      name: req.username,
      password: req.password,
      expiration: formatExpiration(req.expiration),
    };
    const statements = this.#render(req.statements.length ? req.statements : DEFAULT_CREATION, values);
    return this.#serialized(() => this.#create(req, values, statements));
  }

  /**
   * Concurrent GRANT/REVOKE/DROP OWNED on the same objects deadlock in PostgreSQL, and each
   * deadlock costs deadlock_timeout (1 s) before one side is cancelled. Creations and default
   * revocations therefore run one at a time per plugin (measured 5-10x faster at 50 concurrent
   * than retrying), unless the config sets `serialize_creates: false`. Their transactions also
   * take a PostgreSQL advisory lock, so other plugin instances and Coffer nodes on the same server
   * wait too. Conflicts with other clients are still retried.
   */
  get #serializing(): boolean {
    return this.#config?.serialize_creates !== false;
  }

  async #serialized<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.#serializing) return fn();
    const prev = this.#createQueue;
    let done!: () => void;
    this.#createQueue = new Promise<void>((r) => {
      done = r;
    });
    await prev;
    try {
      return await fn();
    } finally {
      done();
    }
  }

  async #create(req: NewUserRequest, values: TemplateValues, statements: string[]): Promise<void> {
    const existedBefore = await this.#roleExists(req.username);
    if (existedBefore) {
      throw new PostgresPluginError('a role with this name already exists', {
        kind: 'statement',
        code: '42710',
      });
    }
    let lastErr: unknown;
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      try {
        await this.#transaction(statements, { lock: this.#serializing });
        return;
      } catch (err) {
        lastErr = err;
        if (
          (err as PostgresPluginError).kind === 'connection' ||
          !isConflict(err) ||
          attempt === this.#attempts
        )
          break;
        this.#onRetry?.({ attempt, code: (err as { code?: string }).code });
        // Exponential backoff with full jitter: 5, 10, 20 … ms caps.
        await this.#sleep(Math.random() * 5 * 2 ** (attempt - 1));
      }
    }
    await this.#cleanupFailedCreate(req, values);
    throw this.#wrap(lastErr, 'creating the user failed', [req.password]);
  }

  /** Best effort after a failed creation: rollback statements, then make sure the role is gone. */
  async #cleanupFailedCreate(req: NewUserRequest, values: TemplateValues): Promise<void> {
    try {
      if (req.rollbackStatements.length) {
        for (const s of this.#render(req.rollbackStatements, values)) {
          await this.#transaction([s]).catch(() => {});
        }
      }
      if (await this.#roleExists(req.username)) await this.#dropRole(req.username);
    } catch {
      // The original error is what the caller needs.
    }
  }

  async updateUser(req: UpdateUserRequest): Promise<void> {
    const values: TemplateValues = { name: req.username };
    if (req.password !== undefined) {
      values.password = req.password;
    }
    if (req.expiration !== undefined) values.expiration = formatExpiration(req.expiration);
    let templates: readonly string[] = req.statements;
    if (!templates.length) {
      templates = [
        ...(req.password !== undefined ? DEFAULT_ROTATION : []),
        ...(req.expiration !== undefined ? DEFAULT_RENEW : []),
      ];
    }
    if (!templates.length) return;
    await this.#transaction(this.#render(templates, values)).catch((err) => {
      throw this.#wrap(err, 'updating the user failed', req.password === undefined ? [] : [req.password]);
    });
    // Root rotation: the pool must log in with the new password from now on.
    const cfg = this.#config;
    if (req.password !== undefined && cfg && cfg.username === req.username) {
      await this.initialize({ ...cfg, password: req.password }, { verifyConnection: false });
    }
  }

  async deleteUser(req: DeleteUserRequest): Promise<void> {
    if (req.statements.length) {
      const statements = this.#render(req.statements, { name: req.username });
      await this.#transaction(statements).catch((err) => {
        throw this.#wrap(err, 'revoking the user failed', []);
      });
      return;
    }
    try {
      await this.#serialized(async () => {
        if (await this.#roleExists(req.username)) await this.#dropRole(req.username);
      });
    } catch (err) {
      throw this.#wrap(err, 'revoking the user failed', []);
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await pool.end();
  }

  /** Terminates the role's sessions, takes over or drops what it owns, drops it. */
  async #dropRole(username: string): Promise<void> {
    const pool = this.#requirePool();
    await pool
      .query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()',
        [username],
      )
      .catch(() => {});
    // A CREATEROLE admin that is not a member of the role cannot REASSIGN/DROP OWNED; on
    // PostgreSQL < 16 it may grant itself membership first (the grant dies with the role).
    const member = await pool.query("SELECT pg_has_role(current_user, $1, 'USAGE') AS m", [username]);
    const statements: string[] = [];
    if (member.rows[0]?.m !== true)
      statements.push(...this.#render(['GRANT "{{name}}" TO CURRENT_USER'], { name: username }));
    statements.push(...this.#render(DEFAULT_REVOCATION, { name: username }));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#transaction(statements, { lock: this.#serializing });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= this.#attempts) throw err;
        this.#onRetry?.({ attempt, code: (err as { code?: string }).code });
        await this.#sleep(Math.random() * 5 * 2 ** (attempt - 1));
      }
    }
  }

  async #roleExists(username: string): Promise<boolean> {
    const r = await this.#requirePool()
      .query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])
      .catch((err) => {
        throw this.#wrap(err, 'querying pg_roles failed', []);
      });
    return r.rowCount !== null && r.rowCount > 0;
  }

  #render(templates: readonly string[], values: TemplateValues): string[] {
    try {
      return splitStatements(templates).map((t) => renderStatement(t, values, postgresDialect));
    } catch (err) {
      throw new PostgresPluginError(`invalid statement template: ${(err as Error).message}`, {
        kind: 'config',
      });
    }
  }

  /** Runs statements in one transaction on one client; ROLLBACK on failure. Throws the raw error. */
  async #transaction(statements: readonly string[], opts: { lock?: boolean } = {}): Promise<void> {
    const client = await this.#connect();
    let broken = false;
    try {
      await client.query('BEGIN; SET LOCAL standard_conforming_strings = on');
      if (opts.lock) await client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY]);
      for (const s of statements) await client.query(s);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#requirePool().connect();
    } catch (err) {
      throw this.#wrap(err, 'connecting to the database failed', [], 'connection');
    }
  }

  #requirePool(): pg.Pool {
    if (!this.#pool) throw new PostgresPluginError('the plugin is not initialized', { kind: 'config' });
    return this.#pool;
  }

  /** A safe error: SQLSTATE/errno kept, database message scrubbed of every known secret, no cause. */
  #wrap(
    err: unknown,
    what: string,
    secrets: string[],
    kind?: 'connection' | 'statement',
  ): PostgresPluginError {
    if (err instanceof PostgresPluginError) return err;
    const e = err as { code?: unknown; message?: unknown; severity?: unknown };
    const code = typeof e?.code === 'string' ? e.code : undefined;
    const fromServer = typeof e?.severity === 'string';
    const k = kind ?? (fromServer ? 'statement' : 'connection');
    let detail = '';
    if (fromServer && typeof e.message === 'string') detail = this.#scrub(e.message, secrets);
    else if (code) detail = code;
    return new PostgresPluginError(detail ? `${what}: ${detail}` : what, {
      code,
      retryable: isConflict(err),
      kind: fromServer && kind === 'connection' ? 'connection' : k,
    });
  }

  #scrub(message: string, secrets: string[]): string {
    let out = message;
    const cfg = this.#config;
    const all = typeof cfg?.password === 'string' ? [...secrets, cfg.password] : secrets;
    for (const s of all) {
      if (s.length < 1) continue;
      out = out.replaceAll(s, '[redacted]').replaceAll(postgresDialect.literal(s), '[redacted]');
      const enc = encodeURIComponent(s);
      if (enc !== s) out = out.replaceAll(enc, '[redacted]');
    }
    return out;
  }
}

function positiveInt(v: unknown, fallback: number): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : fallback;
}

export const postgresqlPlugin: PluginFactory = () => new PostgresqlPlugin();
