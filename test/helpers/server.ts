import { Coffer } from '../../src/client/index.ts';
import { silentLogger } from '../../src/sdk/logger.ts';
import { DEFAULT_LEASE_TTL } from '../../src/server/config.ts';
import { type RunningServer, startServer } from '../../src/server/server.ts';

export interface TestServer {
  server: RunningServer;
  url: string;
  host: string;
  port: number;
  rootToken: string;
  client: Coffer;
  close(): Promise<void>;
}

/** Tier 3: a real listener on an ephemeral 127.0.0.1 port, dev mode (inmem, unsealed, KV v2 at secret/). */
export async function testServer(
  opts: { rootToken?: string; maxRequestSize?: number } = {},
): Promise<TestServer> {
  const server = await startServer({
    config: {
      storage: { type: 'inmem', config: {} },
      listeners: [
        {
          type: 'tcp',
          address: '127.0.0.1:0',
          tlsDisable: true,
          ...(opts.maxRequestSize !== undefined ? { maxRequestSize: opts.maxRequestSize } : {}),
        },
      ],
      ui: false,
      defaultLeaseTTL: DEFAULT_LEASE_TTL,
      maxLeaseTTL: DEFAULT_LEASE_TTL,
      logLevel: 'error',
      disableMlock: true,
      disableCache: false,
    },
    logger: silentLogger,
    dev: opts.rootToken !== undefined ? { rootTokenId: opts.rootToken } : {},
  });
  const u = new URL(server.url);
  return {
    server,
    url: server.url,
    host: u.hostname,
    port: Number(u.port),
    rootToken: server.rootToken!,
    client: new Coffer({ address: server.url, token: server.rootToken! }),
    close: () => server.close(),
  };
}
