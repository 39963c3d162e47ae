/**
 * Parses Vault's (go-sql-driver) MySQL DSN:
 * `[user[:password]@][net[(addr)]]/dbname[?param=value&...]`, e.g.
 * `{{username}}:{{password}}@tcp(127.0.0.1:3306)/`. The DSN is parsed *before* `{{username}}` /
 * `{{password}}` are substituted, and only into the user and password fields, so a password holding
 * `@`, `:` or `/` cannot change the host. Go DSNs are not URL-encoded. Errors never hold the DSN.
 */
import { BadRequestError } from '../../../../sdk/errors.ts';

export interface MysqlDsn {
  user: string;
  password: string;
  /** TCP host, or undefined with `socketPath`. */
  host?: string;
  port?: number;
  socketPath?: string;
  database: string;
  /** `tls` param: undefined (plaintext), 'true' (verified) or 'skip-verify'. */
  tls?: 'true' | 'skip-verify';
  charset?: string;
  /** Dial timeout in ms (`timeout` param, a Go duration). */
  timeoutMs?: number;
}

/** Params of the Go driver that mean nothing to mysql2 and are accepted silently. */
const IGNORED_PARAMS = new Set([
  'parseTime',
  'loc',
  'interpolateParams',
  'allowNativePasswords',
  'allowCleartextPasswords',
  'allowOldPasswords',
  'allowAllFiles',
  'checkConnLiveness',
  'clientFoundRows',
  'columnsWithAlias',
  'multiStatements',
  'maxAllowedPacket',
  'readTimeout',
  'writeTimeout',
  'rejectReadOnly',
  'collation',
  'serverPubKey',
]);

function invalid(what: string): BadRequestError {
  return new BadRequestError(`invalid connection_url: ${what}`);
}

/** A Go duration (`5s`, `1m30s`, `500ms`) in milliseconds. */
export function parseGoDuration(s: string): number {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let i = 0;
  if (s === '' || s === '0') return 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw invalid('bad duration in timeout');
    total += Number(m[1]) * (units[m[2]!] ?? 0);
    i = re.lastIndex;
  }
  return Math.round(total);
}

function fill(field: string, username: string | undefined, password: string | undefined): string {
  return field.replace(/\{\{\s*(username|password)\s*\}\}/g, (_m, key: string) => {
    const v = key === 'username' ? username : password;
    if (v === undefined) throw invalid(`{{${key}}} is used but ${key} is not set`);
    return v;
  });
}

export function parseMysqlDsn(dsn: string, username?: string, password?: string): MysqlDsn {
  const slash = dsn.lastIndexOf('/');
  if (slash < 0) throw invalid('missing the slash before the database name');
  const head = dsn.slice(0, slash);
  const tail = dsn.slice(slash + 1);
  const q = tail.indexOf('?');
  const database = q < 0 ? tail : tail.slice(0, q);
  const query = q < 0 ? '' : tail.slice(q + 1);

  const at = head.lastIndexOf('@');
  const userinfo = at < 0 ? '' : head.slice(0, at);
  const netinfo = at < 0 ? head : head.slice(at + 1);
  const colon = userinfo.indexOf(':');
  const out: MysqlDsn = {
    user: fill(colon < 0 ? userinfo : userinfo.slice(0, colon), username, password),
    password: colon < 0 ? '' : fill(userinfo.slice(colon + 1), username, password),
    database,
  };

  const nm = /^([a-z0-9]*)(?:\((.*)\))?$/.exec(netinfo);
  if (!nm) throw invalid('bad network address (expected tcp(host:port) or unix(/path))');
  const net = nm[1] || 'tcp';
  const addr = nm[2] ?? '';
  if (net === 'unix') {
    out.socketPath = addr || '/tmp/mysql.sock';
  } else if (net === 'tcp' || net === 'tcp6' || net === 'tcp4') {
    let host = '127.0.0.1';
    let port = 3306;
    if (addr !== '') {
      const am = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(addr);
      if (!am) throw invalid('bad host:port');
      host = am[1] ?? am[2] ?? '';
      if (host === '') host = '127.0.0.1';
      if (am[3] !== undefined) port = Number(am[3]);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('bad port');
    }
    out.host = host;
    out.port = port;
  } else {
    throw invalid(`unsupported network ${JSON.stringify(net)}`);
  }

  if (query !== '') {
    for (const pair of query.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      let value: string;
      try {
        value = decodeURIComponent(eq < 0 ? '' : pair.slice(eq + 1));
      } catch {
        throw invalid(`bad value for parameter ${JSON.stringify(key)}`);
      }
      if (key === 'tls') {
        if (value === 'true' || value === 'skip-verify') out.tls = value;
        else if (value === 'false' || value === '') delete out.tls;
        else throw invalid(`tls=${JSON.stringify(value)} is not supported (use true, skip-verify or false)`);
      } else if (key === 'charset') {
        // Go allows a comma list of fallbacks; mysql2 takes one.
        out.charset = value.split(',')[0]!;
      } else if (key === 'timeout') {
        out.timeoutMs = parseGoDuration(value);
      } else if (!IGNORED_PARAMS.has(key)) {
        throw invalid(`unsupported parameter ${JSON.stringify(key)}`);
      }
    }
  }
  return out;
}
