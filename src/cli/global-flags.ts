/** Flags every command accepts, and how they and the environment configure the client. */
import { Coffer } from '../client/index.ts';
import type { FlagSpecs, FlagValues } from './flags.ts';
import { readTokenFile } from './token-file.ts';

export const DEFAULT_ADDRESS = 'http://127.0.0.1:8200';

export const httpFlags = {
  address: {
    type: 'string',
    placeholder: '<string>',
    usage: `Address of the Coffer server. The default is ${DEFAULT_ADDRESS}. This can also be specified via the COFFER_ADDR (or VAULT_ADDR) environment variable.`,
  },
  'ca-cert': {
    type: 'string',
    placeholder: '<string>',
    usage:
      "Path on the local disk to a single PEM-encoded CA certificate to verify the server's TLS certificate. This can also be specified via COFFER_CACERT (or VAULT_CACERT).",
  },
  'tls-skip-verify': {
    type: 'bool',
    usage:
      'Disable verification of TLS certificates. Using this option is highly discouraged as it decreases the security of data transmissions to and from the server. This can also be specified via COFFER_SKIP_VERIFY (or VAULT_SKIP_VERIFY).',
  },
  namespace: {
    type: 'string',
    placeholder: '<string>',
    usage:
      'The namespace to use for the command. This can also be specified via COFFER_NAMESPACE (or VAULT_NAMESPACE).',
  },
  'wrap-ttl': {
    type: 'string',
    placeholder: '<duration>',
    usage:
      'Wraps the response in a cubbyhole token with the requested TTL. The response is available via the "coffer unwrap" command. The TTL is specified as a numeric string with suffix like "30s" or "5m". This can also be specified via COFFER_WRAP_TTL (or VAULT_WRAP_TTL).',
  },
} as const satisfies FlagSpecs;

export const outputFlags = {
  format: {
    type: 'string',
    placeholder: '<string>',
    usage:
      'Print the output in the given format. Valid formats are "table" or "json". The default is table. This can also be specified via COFFER_FORMAT (or VAULT_FORMAT).',
  },
} as const satisfies FlagSpecs;

export const globalFlags = { ...httpFlags, ...outputFlags } as const;
export type GlobalFlags = FlagValues<typeof globalFlags>;

export type OutputFormat = 'table' | 'json';
type Env = Record<string, string | undefined>;

/** The first of the environment variables that is set and not empty. */
export function fromEnv(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** -format, then COFFER_FORMAT / VAULT_FORMAT, then table; undefined when it is not a known format. */
export function outputFormat(flags: GlobalFlags, env: Env): OutputFormat | undefined {
  const format = (flags.format ?? fromEnv(env, 'COFFER_FORMAT', 'VAULT_FORMAT') ?? 'table').toLowerCase();
  return format === 'table' || format === 'json' ? format : undefined;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'true', 'yes'].includes(value.toLowerCase());
}

/** A client from the flags and the environment; the token from env, then the token file. */
export async function clientFrom(flags: GlobalFlags, set: ReadonlySet<string>, env: Env): Promise<Coffer> {
  const token = fromEnv(env, 'COFFER_TOKEN', 'VAULT_TOKEN') ?? (await readTokenFile(env));
  return new Coffer({
    address: flags.address ?? fromEnv(env, 'COFFER_ADDR', 'VAULT_ADDR') ?? DEFAULT_ADDRESS,
    token,
    namespace: flags.namespace ?? fromEnv(env, 'COFFER_NAMESPACE', 'VAULT_NAMESPACE'),
    wrapTTL: flags['wrap-ttl'] ?? fromEnv(env, 'COFFER_WRAP_TTL', 'VAULT_WRAP_TTL'),
    tlsCaFile: flags['ca-cert'] ?? fromEnv(env, 'COFFER_CACERT', 'VAULT_CACERT'),
    tlsSkipVerify: set.has('tls-skip-verify')
      ? flags['tls-skip-verify']
      : truthy(fromEnv(env, 'COFFER_SKIP_VERIFY', 'VAULT_SKIP_VERIFY')),
  });
}
