import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Core } from '../core/core.ts';
import { type HttpServer, startHttpServer } from '../http/index.ts';
import type { Logger } from '../sdk/logger.ts';
import { openStorage } from '../storage/registry.ts';
import type { Storage } from '../storage/storage.ts';
import type { ServerConfig } from './config.ts';
import { builtinAuthRegistry, builtinRegistry } from './registry.ts';

export interface RunningServer {
  readonly core: Core;
  readonly listeners: readonly HttpServer[];
  /** `http://127.0.0.1:8200` of the first listener. */
  readonly url: string;
  readonly rootToken?: string;
  readonly unsealKey?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  config: ServerConfig;
  logger: Logger;
  /** `-dev`: initialize in memory, unseal, mount KV v2 at secret/. */
  dev?: { rootTokenId?: string };
  /** Pre-opened storage (tests). */
  storage?: Storage;
}

/** Builds every subsystem from config and starts the listeners. No singletons: all is in here. */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const { config, logger } = opts;
  const storage =
    opts.storage ??
    (await openStorage(config.storage.type, config.storage.config, {
      warn: (message, fields) => logger.warn(message, fields),
    }));
  const core = new Core({
    physical: storage,
    storageType: config.storage.type,
    registry: builtinRegistry(),
    authRegistry: builtinAuthRegistry(),
    logger,
    defaultLeaseTTL: config.defaultLeaseTTL,
    maxLeaseTTL: config.maxLeaseTTL,
    cache: config.disableCache
      ? false
      : config.cacheSize === undefined
        ? {}
        : { maxEntries: config.cacheSize },
  });
  let rootToken: string | undefined;
  let unsealKey: string | undefined;
  if (opts.dev) {
    const dev = await core.initDev(opts.dev.rootTokenId);
    rootToken = dev.rootToken;
    unsealKey = dev.unsealKey.toString('base64');
    dev.unsealKey.fill(0);
    await core.handle({
      id: randomUUID(),
      operation: 'update',
      path: 'sys/mounts/secret',
      data: { type: 'kv', options: { version: '2' }, description: 'key/value secret storage' },
      headers: {},
      clientToken: rootToken,
      remoteAddr: '127.0.0.1',
    });
  }
  const listeners: HttpServer[] = [];
  try {
    for (const l of config.listeners) {
      listeners.push(
        await startHttpServer({
          address: l.address,
          handle: (req) => core.handle(req),
          logger: logger.child({ component: 'http' }),
          ...(l.tlsDisable
            ? {}
            : { tls: { cert: readFileSync(l.tlsCertFile!), key: readFileSync(l.tlsKeyFile!) } }),
          ...(l.maxRequestSize !== undefined ? { maxRequestSize: l.maxRequestSize } : {}),
        }),
      );
    }
  } catch (err) {
    for (const s of listeners) await s.close();
    await core.close();
    await storage.close();
    throw err;
  }
  for (const s of listeners) logger.info('http: listening', { url: s.url });
  let closed: Promise<void> | undefined;
  return {
    core,
    listeners,
    url: listeners[0]?.url ?? '',
    ...(rootToken !== undefined ? { rootToken } : {}),
    ...(unsealKey !== undefined ? { unsealKey } : {}),
    close() {
      closed ??= (async () => {
        for (const s of listeners) await s.close();
        await core.close();
        await storage.close();
      })();
      return closed;
    },
  };
}
