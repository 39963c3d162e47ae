/**
 * Test helper: a tiny node:http server that records every request and answers from a route
 * table of Vault-shaped replies. Real HTTP, so the client's fetch path is exercised end to end.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  /** Raw (still percent-encoded) path, e.g. "/v1/secret/data/a%20b". */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when empty. */
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Non-JSON body text. */
  raw?: string;
}

export type Handler = (req: SeenRequest) => Reply;

export interface RecordingServer {
  address: string;
  seen: SeenRequest[];
  /**
   * Keyed "METHOD /v1/path" (no query); a key ending in "*" matches every path with that prefix
   * (the longest such key wins). Unknown routes answer 404 `{"errors":[]}`.
   */
  routes: Map<string, Handler>;
  /** Sets a route answering a fixed reply. */
  on(route: string, reply: Reply | Handler): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const seen: SeenRequest[] = [];
  const routes = new Map<string, Handler>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString('utf8');
      const entry: SeenRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: text === '' ? undefined : JSON.parse(text),
      };
      seen.push(entry);
      const handler = findRoute(routes, `${entry.method} ${entry.path}`);
      const reply = handler ? handler(entry) : { status: 404, body: { errors: [] } };
      if (reply.raw !== undefined) {
        res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.raw);
      } else if (reply.body === undefined) {
        res.writeHead(reply.status).end();
      } else {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    seen,
    routes,
    on(route, reply) {
      routes.set(route, typeof reply === 'function' ? reply : () => reply);
    },
    reset() {
      seen.length = 0;
      routes.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function findRoute(routes: Map<string, Handler>, key: string): Handler | undefined {
  const exact = routes.get(key);
  if (exact) return exact;
  let best: [string, Handler] | undefined;
  for (const [pattern, handler] of routes) {
    if (!pattern.endsWith('*') || !key.startsWith(pattern.slice(0, -1))) continue;
    if (!best || pattern.length > best[0].length) best = [pattern, handler];
  }
  return best?.[1];
}

/** A Vault response envelope around `data`. */
export function envelope(data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    request_id: '00000000-0000-0000-0000-000000000001',
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...extra,
  };
}
