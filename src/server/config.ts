import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  entriesOf,
  groupEntries,
  HclDecoder,
  type HclEntry,
  HclParseError,
  type HclPos,
  type HclSection,
  parseHCL,
  parseJSON,
  suggestKey,
} from '../hcl/index.ts';
import { formatDuration, parseDuration } from '../sdk/framework/duration.ts';
import type { LogLevel } from '../sdk/logger.ts';
import { storageTypes } from '../storage/registry.ts';

/**
 * The server config file, in Vault's HCL or JSON syntax (docs/configuration.md lists every key).
 * Keys Vault knows but Coffer does not act on are accepted with a warning, unknown keys are
 * warned about, and a value of the wrong type is a ConfigError naming the file, line and key.
 */
export interface ListenerConfig {
  type: 'tcp';
  /** host:port; default 127.0.0.1:8200. */
  address: string;
  tlsDisable: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Bytes (Vault's max_request_size); undefined means the edge's default. */
  maxRequestSize?: number;
}

export interface ServerConfig {
  /** `storage "sqlite" { path = "..." }` (or the legacy `backend`); `config` is the block's body. */
  storage: { type: string; config: Record<string, unknown> };
  listeners: ListenerConfig[];
  apiAddr?: string;
  clusterAddr?: string;
  ui: boolean;
  /** Seconds. */
  defaultLeaseTTL: number;
  /** Seconds. */
  maxLeaseTTL: number;
  logLevel: LogLevel;
  disableMlock: boolean;
  /** `disable_cache`: no read cache of decrypted values in the barrier. */
  disableCache: boolean;
  /** `cache_size`: most entries in the barrier's read cache (Vault's default 131,072). */
  cacheSize?: number;
  pluginDirectory?: string;
}

export const DEFAULT_LISTENER_ADDRESS = '127.0.0.1:8200';
/** 768h = 32 days, Vault's default for both lease TTLs. */
export const DEFAULT_LEASE_TTL = 768 * 3600;

/** The file, and where in it, is part of the message: "coffer.hcl: line 3, column 5: ...". */
export class ConfigError extends Error {
  readonly source: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(source: string, reason: string, pos?: HclPos, options?: { cause?: unknown }) {
    super(`${source}: ${pos ? `line ${pos.line}, column ${pos.column}: ` : ''}${reason}`, options);
    this.name = 'ConfigError';
    this.source = source;
    this.line = pos?.line;
    this.column = pos?.column;
  }
}

/** Reads a config file: `.json` is JSON, anything else HCL. Warnings go to `onWarning`. */
export function loadConfig(
  path: string,
  onWarning: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`),
): ServerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(path, `cannot read the config file (${code ?? String(err)})`, undefined, {
      cause: err,
    });
  }
  const { config, warnings } = parseConfig(
    text,
    extname(path).toLowerCase() === '.json' ? 'json' : 'hcl',
    path,
  );
  for (const w of warnings) onWarning(w);
  return config;
}

export function parseConfig(
  text: string,
  format: 'hcl' | 'json',
  source: string,
): { config: ServerConfig; warnings: string[] } {
  const d = new HclDecoder((reason, pos) => new ConfigError(source, reason, pos));
  let entries: HclEntry[];
  try {
    if (format === 'hcl') entries = entriesOf(parseHCL(text));
    else {
      const root = parseJSON(text);
      if (root.kind !== 'object') throw d.fail('a JSON config must be an object', root.pos);
      entries = entriesOf(root);
    }
  } catch (err) {
    if (err instanceof HclParseError) throw new ConfigError(source, err.reason, err, { cause: err });
    throw err;
  }
  return { config: decodeServer(d, entries), warnings: d.warnings };
}

/** A Go-style duration ("768h", "30m", "10s") or a number of seconds; never negative. */
function duration(d: HclDecoder, e: HclEntry, where: string): number {
  const v = d.scalar(e, where, 'a duration');
  const secs = v.kind === 'number' || v.kind === 'string' ? parseDuration(v.value) : undefined;
  if (secs === undefined || secs < 0) {
    throw d.fail(
      `${where}"${e.key}" must be a duration such as "768h", "30m", "10s" or a number of seconds`,
      v.pos,
    );
  }
  return secs;
}

/**
 * Warns, in source order, about the keys of a section that Coffer does not act on: Vault-only
 * keys (accepted, no effect), keys with a warning of their own (`special`), and unknown keys.
 */
function warnUnused(
  d: HclDecoder,
  keys: Map<string, HclEntry[]>,
  known: readonly string[],
  vaultOnly: Record<string, string>,
  where: string,
  special: Record<string, (entries: HclEntry[]) => void> = {},
): void {
  for (const [key, entries] of keys) {
    const quoted = JSON.stringify(key);
    if (Object.hasOwn(special, key)) special[key]!(entries);
    else if (Object.hasOwn(vaultOnly, key)) {
      const hint = vaultOnly[key] ? `: ${vaultOnly[key]}` : '';
      const what = where ? `${where}key` : 'config key';
      d.warnings.push(`${what} ${quoted} is accepted for Vault compatibility and has no effect${hint}`);
    } else if (!known.includes(key)) {
      const near = suggestKey(key, [...known, ...Object.keys(vaultOnly)]);
      const guess = near ? ` (did you mean "${near}"?)` : '';
      d.warnings.push(`${where}unknown ${where ? '' : 'config '}key ${quoted} ignored${guess}`);
    }
  }
}

/** Top-level keys Vault knows that Coffer accepts without acting on them (value: why, if useful). */
const VAULT_ONLY: Record<string, string> = {
  disable_mlock: '',
  cluster_addr: 'Coffer has no cluster port',
  plugin_directory: 'Coffer does not load external plugins',
  cluster_name: '',
  disable_clustering: '',
  disable_performance_standby: '',
  disable_printable_check: '',
  disable_sealwrap: '',
  disable_sentinel_trace: '',
  raw_storage_endpoint: '',
  introspection_endpoint: '',
  pid_file: '',
  enable_response_header_hostname: '',
  enable_response_header_raft_node_id: '',
  log_format: 'Coffer always logs JSON lines',
  log_file: 'Coffer logs to stderr',
  log_rotate_duration: '',
  log_rotate_bytes: '',
  log_rotate_max_files: '',
  log_requests_level: '',
  license_path: '',
  telemetry: 'Coffer does not export metrics yet',
  ha_storage: 'Coffer runs as a single active node (no high availability yet)',
  service_registration: '',
  plugin_file_uid: '',
  plugin_file_permissions: '',
  plugin_tmpdir: '',
  default_max_request_duration: '',
  detect_deadlocks: '',
  experiments: '',
  imprecise_lease_role_tracking: '',
  enable_post_unseal_trace: '',
  post_unseal_trace_directory: '',
  user_lockout: '',
  entropy: '',
  administrative_namespace_path: '',
  unsafe_allow_api_audit_creation: '',
  allow_audit_log_prefixing: '',
  enable_multiseal: '',
};

/** Keys of a Vault tcp listener that Coffer accepts without acting on them. */
const LISTENER_VAULT_ONLY: Record<string, string> = Object.fromEntries(
  [
    'cluster_address',
    'tls_min_version',
    'tls_max_version',
    'tls_cipher_suites',
    'tls_prefer_server_cipher_suites',
    'tls_client_ca_file',
    'tls_disable_client_certs',
    'max_request_duration',
    'proxy_protocol_behavior',
    'proxy_protocol_authorized_addrs',
    'x_forwarded_for_authorized_addrs',
    'x_forwarded_for_hop_skips',
    'x_forwarded_for_reject_not_authorized',
    'x_forwarded_for_reject_not_present',
    'x_forwarded_for_client_cert_header',
    'x_forwarded_for_client_cert_header_decoders',
    'http_read_header_timeout',
    'http_read_timeout',
    'http_write_timeout',
    'http_idle_timeout',
    'telemetry',
    'profiling',
    'inflight_requests_logging',
    'custom_response_headers',
    'chroot_namespace',
    'redact_addresses',
    'redact_cluster_name',
    'redact_version',
    'disable_replication_status_endpoints',
    'disable_request_limiter',
  ].map((k) => [k, '']),
);

const SERVER_KEYS = [
  'storage',
  'backend',
  'listener',
  'seal',
  'api_addr',
  'cluster_addr',
  'ui',
  'default_lease_ttl',
  'max_lease_ttl',
  'log_level',
  'disable_mlock',
  'disable_cache',
  'cache_size',
  'plugin_directory',
] as const;
const LISTENER_KEYS = [
  'address',
  'tls_disable',
  'tls_cert_file',
  'tls_key_file',
  'max_request_size',
] as const;
/** Every key the config reader knows, by section (docs/configuration.md documents each; a test checks). */
export const CONFIG_KEYS = {
  server: [...SERVER_KEYS, ...Object.keys(VAULT_ONLY)],
  listener: [...LISTENER_KEYS, 'tls_require_and_verify_client_cert', ...Object.keys(LISTENER_VAULT_ONLY)],
} as const;
const LOG_LEVELS: Record<string, LogLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  err: 'error',
  error: 'error',
};
const STORAGE_EXAMPLE = 'storage "sqlite" { path = "/var/lib/coffer/coffer.db" }';
const LISTENER_EXAMPLE = 'listener "tcp" { address = "127.0.0.1:8200" }';
const ADDRESS = /^(?:\[[0-9A-Fa-f:.]+(?:%[\w.-]+)?\]|[\w.-]*):(\d{1,5})$/;

function decodeServer(d: HclDecoder, entries: HclEntry[]): ServerConfig {
  const keys = groupEntries(entries);
  const one = (key: (typeof SERVER_KEYS)[number]) => d.single(keys.get(key), '');

  const storages = [...(keys.get('storage') ?? []), ...(keys.get('backend') ?? [])]
    .sort((a, b) => a.pos.line - b.pos.line || a.pos.column - b.pos.column)
    .flatMap((e) => d.sections(e, 1, STORAGE_EXAMPLE));
  const [storage, extra] = storages;
  if (!storage) throw d.fail(`no storage configured: add one, as in ${STORAGE_EXAMPLE}`, undefined);
  if (extra) {
    throw d.fail(`only one storage block is allowed ("backend" is the legacy name of "storage")`, extra.pos);
  }
  const storageType = storage.labels[0]!;
  if (!storageTypes.includes(storageType)) {
    const supported = storageTypes.map((t) => JSON.stringify(t)).join(', ');
    throw d.fail(
      `storage type ${JSON.stringify(storageType)} is not supported; supported: ${supported}`,
      storage.pos,
    );
  }

  const listeners = (keys.get('listener') ?? []).flatMap((e) => d.sections(e, 1, LISTENER_EXAMPLE));
  if (listeners.length === 0)
    throw d.fail(`no listener configured: add one, as in ${LISTENER_EXAMPLE}`, undefined);

  const get = <T>(
    key: (typeof SERVER_KEYS)[number],
    read: (e: HclEntry, where: string) => T,
  ): T | undefined => {
    const e = one(key);
    return e === undefined ? undefined : read(e, '');
  };
  const config: ServerConfig = {
    storage: { type: storageType, config: storage.body },
    listeners: listeners.map((l) => decodeListener(d, l)),
    ui: get('ui', d.bool.bind(d)) ?? false,
    defaultLeaseTTL: get('default_lease_ttl', (e, w) => duration(d, e, w)) || DEFAULT_LEASE_TTL,
    maxLeaseTTL: get('max_lease_ttl', (e, w) => duration(d, e, w)) || DEFAULT_LEASE_TTL,
    logLevel: 'info',
    disableMlock: get('disable_mlock', d.bool.bind(d)) ?? false,
    disableCache: get('disable_cache', d.bool.bind(d)) ?? false,
  };
  const cacheSize = get('cache_size', d.count.bind(d));
  if (cacheSize !== undefined && cacheSize > 0) config.cacheSize = cacheSize;
  const apiAddr = get('api_addr', d.string.bind(d));
  if (apiAddr !== undefined) config.apiAddr = apiAddr;
  const clusterAddr = get('cluster_addr', d.string.bind(d));
  if (clusterAddr !== undefined) config.clusterAddr = clusterAddr;
  const pluginDirectory = get('plugin_directory', d.string.bind(d));
  if (pluginDirectory !== undefined) config.pluginDirectory = pluginDirectory;
  const level = one('log_level');
  if (level) {
    const name = d.string(level, '').toLowerCase();
    const mapped = Object.hasOwn(LOG_LEVELS, name) ? LOG_LEVELS[name] : undefined;
    if (!mapped)
      throw d.fail('"log_level" must be one of "trace", "debug", "info", "warn", "error"', level.value?.pos);
    config.logLevel = mapped;
  }
  if (config.defaultLeaseTTL > config.maxLeaseTTL) {
    const [def, max] = [formatDuration(config.defaultLeaseTTL), formatDuration(config.maxLeaseTTL)];
    const pos = (one('default_lease_ttl') ?? one('max_lease_ttl'))?.pos;
    throw d.fail(`"default_lease_ttl" (${def}) must not be longer than "max_lease_ttl" (${max})`, pos);
  }

  warnUnused(d, keys, SERVER_KEYS, VAULT_ONLY, '', {
    seal: (list) => {
      for (const seal of list.flatMap((e) => d.sections(e, 1, 'seal "awskms" { ... }'))) {
        if (seal.labels[0] === 'shamir') continue;
        d.warnings.push(
          `seal ${JSON.stringify(seal.labels[0])} is ignored: auto-unseal is not supported yet, ` +
            'so Coffer uses Shamir unseal keys (operator unseal)',
        );
      }
    },
  });
  return config;
}

function decodeListener(d: HclDecoder, section: HclSection): ListenerConfig {
  const type = section.labels[0]!;
  const where = `listener ${JSON.stringify(type)}: `;
  if (type !== 'tcp')
    throw d.fail(`listener type ${JSON.stringify(type)} is not supported; only "tcp" is`, section.pos);
  const keys = groupEntries(section.entries);
  const one = (key: (typeof LISTENER_KEYS)[number]) => d.single(keys.get(key), where);

  const addressEntry = one('address');
  const address = addressEntry ? d.string(addressEntry, where) : DEFAULT_LISTENER_ADDRESS;
  const port = ADDRESS.exec(address)?.[1];
  if (port === undefined || Number(port) > 65535) {
    throw d.fail(
      `${where}"address" must be host:port, as in "127.0.0.1:8200" or "[::1]:8200"`,
      addressEntry?.value?.pos,
    );
  }
  const tlsDisableEntry = one('tls_disable');
  const listener: ListenerConfig = {
    type,
    address,
    tlsDisable: tlsDisableEntry ? d.bool(tlsDisableEntry, where) : false,
  };
  const cert = one('tls_cert_file');
  if (cert) listener.tlsCertFile = d.string(cert, where);
  const key = one('tls_key_file');
  if (key) listener.tlsKeyFile = d.string(key, where);
  const size = one('max_request_size');
  // 0 means "the default", as in Vault. Vault's "negative disables the limit" is refused by count().
  const bytes = size ? d.count(size, where) : 0;
  if (bytes > 0) listener.maxRequestSize = bytes;

  if (!listener.tlsDisable && (!listener.tlsCertFile || !listener.tlsKeyFile)) {
    const missing = [
      listener.tlsCertFile ? '' : '"tls_cert_file"',
      listener.tlsKeyFile ? '' : '"tls_key_file"',
    ]
      .filter(Boolean)
      .join(' and ');
    throw d.fail(
      `${where}TLS is enabled on ${address} but ${missing} ${missing.includes(' and ') ? 'are' : 'is'} not set; ` +
        'set tls_cert_file and tls_key_file, or tls_disable = true',
      section.pos,
    );
  }
  const mtls = d.single(keys.get('tls_require_and_verify_client_cert'), where);
  if (mtls && d.bool(mtls, where)) {
    throw d.fail(`${where}"tls_require_and_verify_client_cert" is not supported yet`, mtls.pos);
  }
  warnUnused(d, keys, [...LISTENER_KEYS, 'tls_require_and_verify_client_cert'], LISTENER_VAULT_ONLY, where);
  return listener;
}
