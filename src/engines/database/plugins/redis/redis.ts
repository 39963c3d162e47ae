/**
 * Redis database plugin (`redis-database-plugin`) on node-redis v6. Users are ACL users: a role's
 * statements are JSON arrays of ACL rules (`["~*", "+@read"]`), and every command is sent with each
 * rule, the name and the password as separate arguments, so no value can add a rule. Redis has no
 * expiry for ACL users: renewals are no-ops and the lease revocation deletes the user.
 */
import { createClient } from 'redis';
import { BadRequestError, InternalError } from '../../../../sdk/errors.ts';
import type {
  DatabasePlugin,
  DeleteUserRequest,
  NewUserRequest,
  PluginConfig,
  PluginFactory,
  UpdateUserRequest,
} from '../../plugin.ts';

/** Redis has no hard limit; 64 keeps names readable in ACL LIST and logs. */
export const REDIS_USERNAME_LENGTH = 64;
/**
 * Least privilege by default: read commands on every key. (Vault's plugin has no useful default —
 * a role without creation_statements is refused there; here it gets read-only access.)
 */
export const DEFAULT_REDIS_RULES: readonly string[] = ['~*', '+@read'];

/** Rules that would touch the password or state the plugin manages. */
const FORBIDDEN_RULE = /^(?:[<>#!].*|nopass|resetpass|reset|on)$/i;

/** A rule given outside a JSON array: a key/channel/command rule or a keyword. */
const BARE_RULE =
  /^(?:[~%&+@-]\S*|allkeys|allchannels|allcommands|nocommands|resetkeys|resetchannels|off|clearselectors)$/;

type Client = ReturnType<typeof createClient>;

interface Target {
  host: string;
  port: number;
  username?: string;
  password?: string;
  tls: boolean;
  insecureTls: boolean;
  ca?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

/** Refuses names Redis could read as something else: empty, whitespace or control characters. */
export function checkRedisUsername(name: string): void {
  if (typeof name !== 'string' || name === '') throw new BadRequestError('username is empty');
  if (/[\s\x00-\x1f\x7f]/u.test(name))
    throw new BadRequestError('username must not hold whitespace or control characters');
  if (name.length > REDIS_USERNAME_LENGTH)
    throw new BadRequestError(`username is longer than ${REDIS_USERNAME_LENGTH}`);
}

/** The ACL rules of a role: each statement is a JSON array of strings (or one bare rule). */
export function parseRules(statements: readonly string[]): string[] {
  const nonEmpty = statements.map((s) => s.trim()).filter((s) => s !== '');
  if (nonEmpty.length === 0) return [...DEFAULT_REDIS_RULES];
  const parseArray = (s: string): string[] | undefined => {
    if (!s.startsWith('[')) return undefined;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      return undefined;
    }
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      throw new BadRequestError('redis statements must be JSON arrays of strings');
    }
    return v as string[];
  };
  let rules: string[] = [];
  const each = nonEmpty.map(parseArray);
  if (each.every((r) => r !== undefined)) rules = each.flat() as string[];
  else {
    // A list split on commas by a form field: try the pieces joined back.
    const joined = parseArray(nonEmpty.join(','));
    if (joined) rules = joined;
    else if (nonEmpty.every((s) => BARE_RULE.test(s))) rules = nonEmpty;
    else
      throw new BadRequestError('redis statements must be JSON arrays of ACL rules, e.g. ["~*", "+@read"]');
  }
  for (const rule of rules) {
    if (rule === '' || /[\x00-\x1f\x7f]/.test(rule))
      throw new BadRequestError('an ACL rule is empty or holds control characters');
    // Selectors `(~key* +get)` are one argument with spaces inside the parentheses.
    if (/\s/.test(rule) && !(rule.startsWith('(') && rule.endsWith(')'))) {
      throw new BadRequestError(`ACL rule ${JSON.stringify(rule)} holds whitespace`);
    }
    if (FORBIDDEN_RULE.test(rule))
      throw new BadRequestError(`ACL rule ${JSON.stringify(rule)} is managed by the plugin`);
  }
  return rules;
}

function targetFrom(config: PluginConfig): Target {
  const url = str(config.connection_url);
  let t: Target;
  if (url && /^rediss?:\/\//i.test(url)) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new BadRequestError('invalid connection_url');
    }
    const fill = (s: string) =>
      s.replace(/\{\{\s*(username|password)\s*\}\}/g, (_m, k: string) => {
        const v = k === 'username' ? config.username : config.password;
        if (typeof v !== 'string')
          throw new BadRequestError(`invalid connection_url: {{${k}}} is used but ${k} is not set`);
        return v;
      });
    let user: string;
    let pass: string;
    try {
      user = fill(decodeURIComponent(u.username));
      pass = fill(decodeURIComponent(u.password));
    } catch (err) {
      if (err instanceof BadRequestError) throw err;
      throw new BadRequestError('invalid connection_url');
    }
    t = {
      host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
      port: u.port ? Number(u.port) : 6379,
      tls: u.protocol.toLowerCase() === 'rediss:',
      insecureTls: bool(config.insecure_tls),
    };
    if (user) t.username = user;
    if (pass) t.password = pass;
    else if (str(config.password) && !user) t.password = config.password as string;
  } else {
    const host = str(config.host);
    if (!host) throw new BadRequestError('host is required');
    const port = config.port === undefined || config.port === '' ? 6379 : Number(config.port);
    t = { host, port, tls: bool(config.tls), insecureTls: bool(config.insecure_tls) };
    const username = str(config.username);
    const password = str(config.password);
    if (username) t.username = username;
    if (password) t.password = password;
  }
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)
    throw new BadRequestError('port must be 1-65535');
  const ca = str(config.ca_cert);
  if (ca) t.ca = ca;
  return t;
}

function redact(err: unknown, secrets: readonly (string | undefined)[]): string {
  let msg = err instanceof Error ? err.message : String(err);
  for (const s of secrets) if (s) msg = msg.split(s).join('[redacted]');
  return msg;
}

class RedisPlugin implements DatabasePlugin {
  readonly name = 'redis-database-plugin';
  readonly maxUsernameLength = REDIS_USERNAME_LENGTH;
  #target: Target | undefined;
  #client: Client | undefined;
  #connecting: Promise<Client> | undefined;

  async initialize(config: PluginConfig, opts: { verifyConnection: boolean }): Promise<void> {
    const target = targetFrom(config);
    await this.close();
    this.#target = target;
    if (opts.verifyConnection) {
      try {
        const c = await this.#connected();
        await c.sendCommand(['PING']);
      } catch (err) {
        await this.close();
        throw new BadRequestError(`error verifying connection: ${redact(err, [target.password])}`);
      }
    }
  }

  async newUser(req: NewUserRequest): Promise<void> {
    checkRedisUsername(req.username);
    const rules = parseRules(req.statements);
    await this.#run(req.password, async (c) => {
      // Never take over an existing account (the default user, an operator's user...).
      if ((await c.sendCommand(['ACL', 'GETUSER', req.username])) !== null) {
        throw new BadRequestError('a Redis user with that name already exists');
      }
      await c.sendCommand(['ACL', 'SETUSER', req.username, 'reset', 'on', `>${req.password}`, ...rules]);
    });
  }

  async updateUser(req: UpdateUserRequest): Promise<void> {
    checkRedisUsername(req.username);
    // Renewal: Redis users do not expire.
    if (req.password === undefined) return;
    const password = req.password;
    await this.#run(password, async (c) => {
      // ACL SETUSER would create a missing user: check first.
      if ((await c.sendCommand(['ACL', 'GETUSER', req.username])) === null) {
        throw new BadRequestError('no Redis user with that name');
      }
      await c.sendCommand(['ACL', 'SETUSER', req.username, 'resetpass', `>${password}`]);
    });
    const t = this.#target;
    if (t && t.username === req.username) {
      // Root rotation: reconnect with the new password (this connection is still authenticated as before).
      this.#target = { ...t, password };
      await this.#closeClient();
    }
  }

  async deleteUser(req: DeleteUserRequest): Promise<void> {
    checkRedisUsername(req.username);
    if (req.username === 'default') throw new BadRequestError('the default user cannot be deleted');
    await this.#run(undefined, async (c) => {
      // DELUSER also disconnects the user's clients; CLIENT KILL USER covers servers that did not.
      await c.sendCommand(['ACL', 'DELUSER', req.username]);
      await c.sendCommand(['CLIENT', 'KILL', 'USER', req.username]).catch(() => undefined);
    });
  }

  async close(): Promise<void> {
    await this.#closeClient();
  }

  async #closeClient(): Promise<void> {
    const pending = this.#connecting;
    this.#client = undefined;
    this.#connecting = undefined;
    const c = await pending?.catch(() => undefined);
    if (c?.isOpen) await c.close().catch(() => c.destroy());
    else c?.destroy();
  }

  async #run(secret: string | undefined, fn: (c: Client) => Promise<void>): Promise<void> {
    try {
      await fn(await this.#connected());
    } catch (err) {
      if (err instanceof BadRequestError) throw err;
      throw new InternalError(`redis: ${redact(err, [secret, this.#target?.password])}`);
    }
  }

  /** One multiplexed client, connected on first use. */
  async #connected(): Promise<Client> {
    const t = this.#target;
    if (!t) throw new InternalError('the redis plugin is not initialized');
    if (this.#connecting) {
      // A client whose reconnect strategy gave up is closed for good: start a new one.
      if (!this.#client || this.#client.isOpen) return this.#connecting;
      this.#client.destroy();
      this.#client = undefined;
      this.#connecting = undefined;
    }
    const socket = t.tls
      ? {
          host: t.host,
          port: t.port,
          tls: true as const,
          rejectUnauthorized: !t.insecureTls,
          ...(t.ca ? { ca: t.ca } : {}),
        }
      : { host: t.host, port: t.port };
    const client = createClient({
      ...(t.username ? { username: t.username } : {}),
      ...(t.password ? { password: t.password } : {}),
      socket: {
        ...socket,
        connectTimeout: 5000,
        // Give up after a few attempts instead of retrying forever: callers get an error.
        reconnectStrategy: (retries: number, cause: Error) => (retries >= 2 ? cause : 100 * (retries + 1)),
      },
    });
    // Without a listener node-redis rethrows socket errors as uncaught; failures reach callers anyway.
    client.on('error', () => undefined);
    const connecting = client.connect().then(() => client as Client);
    this.#connecting = connecting;
    try {
      const c = await connecting;
      this.#client = c;
      return c;
    } catch (err) {
      if (this.#connecting === connecting) this.#connecting = undefined;
      client.destroy();
      throw err;
    }
  }
}

export const redisPlugin: PluginFactory = () => new RedisPlugin();
