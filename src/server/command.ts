import { FlagError, parseFlags } from '../cli/flags.ts';
import { jsonLogger, type LogLevel } from '../sdk/logger.ts';
import { ConfigError, DEFAULT_LEASE_TTL, loadConfig, type ServerConfig } from './config.ts';
import { startServer } from './server.ts';

const specs = {
  config: { type: 'string', usage: 'Path to the server config file (HCL or JSON)', placeholder: '<path>' },
  dev: { type: 'bool', usage: 'Start a dev server: in memory, initialized, unsealed, KV v2 at secret/' },
  'dev-root-token-id': {
    type: 'string',
    usage: 'Root token id for -dev (default: random)',
    placeholder: '<string>',
  },
  'dev-listen-address': {
    type: 'string',
    usage: 'Address for -dev (default 127.0.0.1:8200)',
    placeholder: '<addr>',
  },
  'log-level': {
    type: 'string',
    usage: 'debug, info, warn or error (overrides the config)',
    placeholder: '<level>',
  },
} as const;

const USAGE = `Usage: coffer server [options]

  Starts a Coffer server. With -config the server starts sealed on the configured storage;
  unseal it with \`coffer operator unseal\`. With -dev it starts in memory, unsealed, with KV v2
  at secret/ and prints its root token: for trying things out, never for real secrets.

Options:
${Object.entries(specs)
  .map(([name, s]) => `  -${name}${'placeholder' in s ? `=${s.placeholder}` : ''}\n      ${s.usage}`)
  .join('\n')}
`;

function devConfig(address: string): ServerConfig {
  return {
    storage: { type: 'inmem', config: {} },
    listeners: [{ type: 'tcp', address, tlsDisable: true }],
    ui: true,
    defaultLeaseTTL: DEFAULT_LEASE_TTL,
    maxLeaseTTL: DEFAULT_LEASE_TTL,
    logLevel: 'info',
    disableMlock: true,
    disableCache: false,
  };
}

const LEVELS: Record<string, LogLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
};

/** `coffer server`: returns the exit code once the server has stopped. */
export async function serverCommand(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseFlags<typeof specs>>;
  try {
    parsed = parseFlags(specs, argv);
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  const { flags, args } = parsed;
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`unexpected arguments: ${args.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  const dev =
    flags.dev || flags['dev-root-token-id'] !== undefined || flags['dev-listen-address'] !== undefined;
  if (!dev && flags.config === undefined) {
    process.stderr.write(`Error: a config file is required (-config=FILE), or use -dev\n\n${USAGE}`);
    return 2;
  }
  let config: ServerConfig;
  try {
    config = dev
      ? devConfig(flags['dev-listen-address'] ?? process.env.VAULT_DEV_LISTEN_ADDRESS ?? '127.0.0.1:8200')
      : loadConfig(flags.config!);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Error loading configuration: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const levelName = flags['log-level'] ?? config.logLevel;
  const level = LEVELS[levelName];
  if (!level) {
    process.stderr.write(`Error: unknown log level "${levelName}"\n`);
    return 2;
  }
  const logger = jsonLogger({ level });
  process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { err }));

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    const rootTokenId = flags['dev-root-token-id'] ?? process.env.VAULT_DEV_ROOT_TOKEN_ID;
    server = await startServer({
      config,
      logger,
      ...(dev ? { dev: rootTokenId !== undefined ? { rootTokenId } : {} } : {}),
    });
  } catch (err) {
    process.stderr.write(`Error starting the server: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }

  const addresses = server.listeners.map((l) => l.url);
  if (dev) {
    process.stdout.write(
      [
        '==> Coffer dev server started. Do not use it in production: everything is in memory.',
        '',
        `    Address:     ${server.url}`,
        `    Root Token:  ${server.rootToken}`,
        `    Unseal Key:  ${server.unsealKey}`,
        '',
        `    export VAULT_ADDR='${server.url}' VAULT_TOKEN='${server.rootToken}'`,
        '',
        '    KV version 2 is mounted at secret/.',
        '',
      ].join('\n'),
    );
  } else {
    const st = await server.core.seal.status();
    process.stdout.write(
      [
        '==> Coffer server started.',
        '',
        `    Listeners:   ${addresses.join(', ')}`,
        `    Storage:     ${config.storage.type}`,
        `    Initialized: ${st.initialized}`,
        `    Sealed:      ${st.sealed}`,
        '',
        st.initialized
          ? '    Unseal with: coffer operator unseal'
          : '    Initialize with: coffer operator init',
        '',
      ].join('\n'),
    );
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('server: shutting down', { signal });
      server.close().then(
        () => resolve(0),
        (err: unknown) => {
          logger.error('server: shutdown failed', { err });
          resolve(1);
        },
      );
    };
    // SIGHUP: reopen audit files (log rotation, or a device that could not write).
    process.on('SIGHUP', () => {
      logger.info('server: SIGHUP, reopening audit devices');
      void server.core.audit.reopenAll();
    });
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
