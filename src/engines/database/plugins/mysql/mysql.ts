/**
 * MySQL / MariaDB database plugin (`mysql-database-plugin` and Vault's legacy/RDS/Aurora names) on
 * mysql2. One pool per initialize; each operation runs its statements in order on one connection
 * with `query` (DDL cannot be prepared). Statements are rendered only by `renderStatement` with
 * `mysqlDialect`, whose literals escape backslashes — so every operation first makes sure the
 * session's sql_mode does not hold NO_BACKSLASH_ESCAPES.
 */
import mysql from 'mysql2/promise';
import { BadRequestError, InternalError } from '../../../../sdk/errors.ts';
import type {
  DatabasePlugin,
  DeleteUserRequest,
  NewUserRequest,
  PluginConfig,
  PluginFactory,
  UpdateUserRequest,
} from '../../plugin.ts';
import { mysqlDialect, renderStatement, splitStatements } from '../../template.ts';
import { parseMysqlDsn } from './dsn.ts';

/** MySQL ≥ 5.7 and MariaDB accept at least this many characters in a user name. */
export const MYSQL_USERNAME_LENGTH = 32;
/** MySQL < 5.7 (and Vault's legacy / RDS / Aurora plugin names). */
export const MYSQL_LEGACY_USERNAME_LENGTH = 16;
/** MariaDB's own limit. */
export const MARIADB_USERNAME_LENGTH = 80;

export const DEFAULT_CREATION_STATEMENTS = [
  "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';",
  "GRANT SELECT ON *.* TO '{{name}}'@'%';",
];
export const DEFAULT_ROTATION_STATEMENTS = ["ALTER USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';"];
/** Empty revocation statements drop the user at every host it has (see dropEverywhere). */
export const DEFAULT_REVOCATION_STATEMENTS: readonly string[] = [];

const ER_LOCK_DEADLOCK = 1213;
const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_PARSE_ERROR = 1064;
const DEADLOCK_RETRIES = 3;

/** A failure of the database; `retryable` when the same request may succeed later (deadlock). */
export class MysqlPluginError extends InternalError {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

interface SqlError {
  errno?: number;
  code?: string;
  sqlState?: string;
  message?: string;
}

function isDeadlock(err: unknown): boolean {
  const e = err as SqlError;
  return e?.errno === ER_LOCK_DEADLOCK || e?.errno === ER_LOCK_WAIT_TIMEOUT;
}

/**
 * A message for a driver error without secrets: the SQL text is dropped (a parse error quotes the
 * statement near the error, password included) and every known secret is redacted. The original
 * error is not chained as `cause` (mysql2 errors carry the full `sql`).
 */
function describe(err: unknown, secrets: readonly (string | undefined)[]): string {
  const e = (err ?? {}) as SqlError;
  let msg = typeof e.message === 'string' ? e.message : String(err);
  if (e.errno === ER_PARSE_ERROR) msg = msg.replace(/ near '[\s\S]*$/, ' (statement text omitted)');
  for (const s of secrets) {
    if (s === undefined || s.length === 0) continue;
    for (const form of new Set([s, mysqlDialect.literal(s), JSON.stringify(s).slice(1, -1)])) {
      msg = msg.split(form).join('[redacted]');
    }
  }
  return e.code ? `${msg} (${e.code})` : msg;
}

function statementsOrDefault(statements: readonly string[], defaults: readonly string[]): string[] {
  const split = splitStatements(statements);
  return split.length > 0 ? split : [...defaults];
}

function num(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw new BadRequestError(`${name} must be a non-negative integer`);
  return n;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

type Conn = mysql.PoolConnection;

class MysqlPlugin implements DatabasePlugin {
  readonly name: string;
  readonly maxUsernameLength: number;
  #pool: mysql.Pool | undefined;
  #options: mysql.PoolOptions | undefined;
  #adminUser = '';
  #adminPassword: string | undefined;

  constructor(name: string, maxUsernameLength: number) {
    this.name = name;
    this.maxUsernameLength = maxUsernameLength;
  }

  async initialize(config: PluginConfig, opts: { verifyConnection: boolean }): Promise<void> {
    if (typeof config.connection_url !== 'string' || config.connection_url === '') {
      throw new BadRequestError('connection_url is required');
    }
    const dsn = parseMysqlDsn(config.connection_url, config.username, config.password);
    const limit = num(config.max_open_connections, 'max_open_connections', 4) || 4;
    const idle = num(config.max_idle_connections, 'max_idle_connections', limit);
    const options: mysql.PoolOptions = {
      user: dsn.user,
      password: dsn.password,
      database: dsn.database || undefined,
      connectionLimit: limit,
      maxIdle: Math.min(idle || limit, limit),
      connectTimeout: dsn.timeoutMs || 10_000,
      waitForConnections: true,
      multipleStatements: false,
    } as mysql.PoolOptions;
    if (dsn.socketPath !== undefined) options.socketPath = dsn.socketPath;
    else {
      options.host = dsn.host!;
      options.port = dsn.port!;
    }
    if (dsn.charset) options.charset = dsn.charset;
    const lifetime = num(config.max_connection_lifetime, 'max_connection_lifetime', 0);
    if (lifetime > 0) options.idleTimeout = lifetime * 1000;
    // TLS: the DSN's tls param, or Vault's tls_ca / tls_certificate_key / tls_server_name / tls_skip_verify.
    const ca = str(config.tls_ca);
    const certKey = str(config.tls_certificate_key);
    const skip = bool(config.tls_skip_verify) || dsn.tls === 'skip-verify';
    if (dsn.tls || ca || certKey) {
      const ssl: mysql.SslOptions = { rejectUnauthorized: !skip };
      if (ca) ssl.ca = ca;
      if (certKey) {
        ssl.cert = certKey;
        ssl.key = certKey;
      }
      const serverName = str(config.tls_server_name);
      if (serverName) (ssl as Record<string, unknown>).servername = serverName;
      options.ssl = ssl;
    }

    await this.close();
    this.#options = options;
    this.#adminUser = dsn.user;
    this.#adminPassword = dsn.password;
    this.#pool = mysql.createPool(options);
    if (opts.verifyConnection) {
      try {
        await this.#withConnection(async (conn) => {
          await conn.ping();
        });
      } catch (err) {
        await this.close();
        throw new BadRequestError(
          `error verifying connection: ${describe(err, [dsn.password, config.password])}`,
        );
      }
    }
  }

  async newUser(req: NewUserRequest): Promise<void> {
    const stmts = statementsOrDefault(req.statements, DEFAULT_CREATION_STATEMENTS);
    const values = {
      name: req.username,
      password: req.password,
      expiration: formatExpiration(req.expiration),
    };
    const rendered = stmts.map((s) => render(s, values));
    const rollback = splitStatements(req.rollbackStatements).map((s) => render(s, values));
    await this.#retrying(req.password, async (conn) => {
      // Accounts of that name that exist already are never dropped by the clean-up below.
      const before = await userHosts(conn, req.username);
      const progress = { done: 0 };
      try {
        await run(conn, rendered, 'creation', [req.password], progress);
      } catch (err) {
        for (const s of rollback) await conn.query(s).catch(() => undefined);
        const after =
          before === undefined ? undefined : await userHosts(conn, req.username).catch(() => undefined);
        const created =
          before !== undefined && after !== undefined
            ? after.filter((h) => !before.includes(h))
            : progress.done > 0
              ? ['%']
              : [];
        for (const host of created) await dropAt(conn, req.username, host).catch(() => undefined);
        throw err;
      }
    });
  }

  async updateUser(req: UpdateUserRequest): Promise<void> {
    // MySQL has no password expiry Vault uses: a renewal (expiration only) is a no-op, as in Vault.
    if (req.password === undefined) return;
    const password = req.password;
    const stmts = statementsOrDefault(req.statements, DEFAULT_ROTATION_STATEMENTS);
    const rendered = stmts.map((s) => render(s, { name: req.username, password }));
    await this.#retrying(password, async (conn) => {
      await run(conn, rendered, 'rotation', [password]);
    });
    if (req.username === this.#adminUser && this.#options) {
      // Root rotation: new connections must log in with the new password.
      const options = { ...this.#options, password };
      const old = this.#pool;
      this.#options = options;
      this.#adminPassword = password;
      this.#pool = mysql.createPool(options);
      await old?.end().catch(() => undefined);
    }
  }

  async deleteUser(req: DeleteUserRequest): Promise<void> {
    const rendered = splitStatements(req.statements).map((s) => render(s, { name: req.username }));
    await this.#retrying(undefined, async (conn) => {
      if (rendered.length === 0) await dropEverywhere(conn, req.username);
      else await run(conn, rendered, 'revocation', []);
      // Dropping an account does not end its sessions: kill them now that no new login can succeed.
      await killSessions(conn, req.username);
    });
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  /** Runs `fn` on one connection; deadlocks are retried a few times, then surface as retryable. */
  async #retrying(secret: string | undefined, fn: (conn: Conn) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#withConnection(fn);
        return;
      } catch (err) {
        if (err instanceof BadRequestError || err instanceof MysqlPluginError) throw err;
        const retryable = isDeadlock(err);
        if (retryable && attempt < DEADLOCK_RETRIES) {
          await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 30));
          continue;
        }
        throw new MysqlPluginError(describe(err, [secret, this.#adminPassword]), { retryable });
      }
    }
  }

  async #withConnection(fn: (conn: Conn) => Promise<void>): Promise<void> {
    if (!this.#pool) throw new MysqlPluginError('the mysql plugin is not initialized');
    const conn = await this.#pool.getConnection();
    try {
      await ensureBackslashEscapes(conn);
      await fn(conn);
    } finally {
      conn.release();
    }
  }
}

function render(template: string, values: { name: string; password?: string; expiration?: string }): string {
  try {
    return renderStatement(template, values, mysqlDialect);
  } catch (err) {
    throw new BadRequestError(`invalid statement: ${(err as Error).message}`);
  }
}

function formatExpiration(d: Date): string {
  // `YYYY-MM-DD HH:MM:SS` in UTC, the form MySQL accepts in a DATETIME literal.
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

async function run(
  conn: Conn,
  statements: readonly string[],
  kind: string,
  secrets: readonly string[],
  progress: { done: number } = { done: 0 },
): Promise<void> {
  for (let i = 0; i < statements.length; i++) {
    try {
      await conn.query(statements[i]!);
      progress.done = i + 1;
    } catch (err) {
      if (isDeadlock(err)) throw err;
      throw new MysqlPluginError(
        `${kind} statement ${i + 1} of ${statements.length} failed: ${describe(err, secrets)}`,
      );
    }
  }
}

/**
 * The dialect escapes `\` inside literals; under NO_BACKSLASH_ESCAPES that would double every
 * backslash of a password (never an injection — quotes are doubled — but a wrong password).
 */
async function ensureBackslashEscapes(conn: Conn): Promise<void> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m');
  const mode = String(rows[0]?.m ?? '');
  const parts = mode.split(',').filter((p) => p !== '');
  if (!parts.includes('NO_BACKSLASH_ESCAPES')) return;
  await conn.query('SET SESSION sql_mode = ?', [parts.filter((p) => p !== 'NO_BACKSLASH_ESCAPES').join(',')]);
}

/** The hosts the user name has in mysql.user, or undefined when mysql.user cannot be read. */
async function userHosts(conn: Conn, username: string): Promise<string[] | undefined> {
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT Host FROM mysql.user WHERE User = ?', [
      username,
    ]);
    return rows.map((r) => String(r.Host));
  } catch (err) {
    if (isDeadlock(err)) throw err;
    return undefined;
  }
}

async function dropAt(conn: Conn, username: string, host: string): Promise<void> {
  try {
    // mysql2 escapes the values (backslash style, safe: ensureBackslashEscapes ran on this session).
    await conn.query('DROP USER IF EXISTS ?@?', [username, host]);
  } catch (err) {
    if (isDeadlock(err)) throw err;
    throw new MysqlPluginError(`dropping the user failed: ${describe(err, [])}`);
  }
}

/** DROP USER IF EXISTS at every host the name has (only '%' when mysql.user cannot be read). */
async function dropEverywhere(conn: Conn, username: string): Promise<void> {
  for (const host of (await userHosts(conn, username)) ?? ['%']) await dropAt(conn, username, host);
}

/** Best effort: KILL every session of the user (needs PROCESS and CONNECTION ADMIN / SUPER). */
async function killSessions(conn: Conn, username: string): Promise<void> {
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()',
      [username],
    );
    for (const r of rows) {
      const id = Number(r.ID);
      if (Number.isSafeInteger(id) && id > 0)
        await conn.query(`KILL CONNECTION ${id}`).catch(() => undefined);
    }
  } catch {
    // best effort
  }
}

function factory(name: string, maxUsernameLength: number): PluginFactory {
  return () => new MysqlPlugin(name, maxUsernameLength);
}

export const mysqlPlugin: PluginFactory = factory('mysql-database-plugin', MYSQL_USERNAME_LENGTH);
export const mysqlLegacyPlugin: PluginFactory = factory(
  'mysql-legacy-database-plugin',
  MYSQL_LEGACY_USERNAME_LENGTH,
);
export const mysqlRdsPlugin: PluginFactory = factory(
  'mysql-rds-database-plugin',
  MYSQL_LEGACY_USERNAME_LENGTH,
);
export const mysqlAuroraPlugin: PluginFactory = factory(
  'mysql-aurora-database-plugin',
  MYSQL_LEGACY_USERNAME_LENGTH,
);

/** Every MySQL plugin name Vault knows, for the engine's plugin table. */
export const mysqlPlugins: Readonly<Record<string, PluginFactory>> = {
  'mysql-database-plugin': mysqlPlugin,
  'mysql-legacy-database-plugin': mysqlLegacyPlugin,
  'mysql-rds-database-plugin': mysqlRdsPlugin,
  'mysql-aurora-database-plugin': mysqlAuroraPlugin,
};
