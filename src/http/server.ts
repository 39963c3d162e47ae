import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../sdk/logger.ts';
import { MAX_DATA_DEPTH, type Request, type Response } from '../sdk/request.ts';
import { onClientError, type ParseError, refusedList } from './client-error.ts';
import { type Connection, connectionOf } from './connection.ts';
import { EdgeSocket } from './edge-socket.ts';
import { clientMethod, type EdgeOptions, serve } from './handler.ts';
import { rawErrorResponse, send } from './respond.ts';
import { checkTakeover } from './takeover.ts';
import { ALLOWED_METHODS } from './verbs.ts';

export interface HttpOptions {
  /** `host:port` (`[::1]:8200` for IPv6); port 0 binds an ephemeral port. */
  address: string;
  /** Core: a Request in, a Response out; throws catalog errors. */
  handle: (req: Request) => Promise<Response>;
  logger: Logger;
  /** PEM certificate chain and key; absent = plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Largest request body in bytes (default 32 MiB); more → 413 and the connection is closed. */
  maxRequestSize?: number;
  /** Deepest JSON nesting accepted in a body (default 500); deeper → 400. */
  maxJSONDepth?: number;
  /** Largest request line + headers in bytes (default 16 KiB); more → 431. */
  maxHeaderSize?: number;
  /** Serves paths outside `/v1/`; returns false to let the edge answer 404. */
  ui?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  timeouts?: HttpTimeouts;
}

/** Connection timeouts, in milliseconds. The defaults keep slow clients from holding sockets. */
export interface HttpTimeouts {
  /** Request line and headers must arrive within this (default 10 s); else 408 and close. */
  headers?: number;
  /** The whole request, body included (default 60 s); else 408 and close. */
  request?: number;
  /** An idle keep-alive connection is closed after this (default 65 s). */
  keepAlive?: number;
  /** TLS handshake (default 10 s). */
  handshake?: number;
  /** How long close() lets requests in flight finish before cutting them (default 5 s). */
  shutdownGrace?: number;
}

export interface HttpServer {
  /** `host:port` actually bound. */
  address: string;
  /** `http(s)://host:port`. */
  url: string;
  /** Stops accepting, lets requests in flight finish (within the grace period), closes every connection. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024;
export const DEFAULT_MAX_JSON_DEPTH = MAX_DATA_DEPTH;
export const DEFAULT_MAX_HEADER_SIZE = 16 * 1024;

/** Starts the HTTP(S) listener of the API. */
export async function startHttpServer(opts: HttpOptions): Promise<HttpServer> {
  const { host, port } = parseAddress(opts.address);
  const maxHeaderSize = opts.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
  const requestTimeout = opts.timeouts?.request ?? 60_000;
  const serverOptions: http.ServerOptions = {
    maxHeaderSize,
    requestTimeout,
    headersTimeout: Math.min(opts.timeouts?.headers ?? 10_000, requestTimeout),
    keepAliveTimeout: opts.timeouts?.keepAlive ?? 65_000,
    connectionsCheckingInterval: Math.min(1000, opts.timeouts?.headers ?? 1000),
    // The edge answers a missing Host itself, in JSON like every other error.
    requireHostHeader: false,
  };
  const server = opts.tls
    ? https.createServer({
        ...serverOptions,
        cert: opts.tls.cert,
        key: opts.tls.key,
        minVersion: 'TLSv1.2',
        handshakeTimeout: opts.timeouts?.handshake ?? 10_000,
      })
    : http.createServer(serverOptions);
  // A client that half-closes after its requests still gets the answers.
  (server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;

  const logger = opts.logger;
  let closing = false;
  const edge: EdgeOptions = {
    handle: opts.handle,
    logger,
    maxRequestSize: opts.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE,
    maxJSONDepth: opts.maxJSONDepth ?? DEFAULT_MAX_JSON_DEPTH,
    ui: opts.ui,
    closing: () => closing,
  };
  const run = (req: http.IncomingMessage, res: http.ServerResponse, expectContinue: boolean) => {
    connectionOf(req.socket).track(res);
    serve(edge, req, res, expectContinue).catch((err: unknown) => {
      logger.error('request handling failed', { error: err });
      res.destroy();
    });
  };
  server.on('request', (req, res) => run(req, res, false));
  server.on('checkContinue', (req, res) => run(req, res, true));
  server.on('checkExpectation', (req, res) => {
    connectionOf(req.socket).track(res);
    clientMethod(req);
    send(res, 417, JSON.stringify({ errors: ['unsupported Expect header'] }), { Connection: 'close' });
  });
  // CONNECT is not a method Coffer serves; without a listener Node would drop the socket silently.
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    socket.end(rawErrorResponse(405, 'unsupported method', { Allow: ALLOWED_METHODS, Connection: 'close' }));
  });

  // Every connection starts on Node's native path: Node's HTTP parser reads the client's socket
  // itself. The first time llhttp refuses a LIST, the connection moves to the LIST framer for
  // good: Node's parser is detached and the socket, wrapped in an EdgeSocket, is handed to the
  // HTTP server again as a new connection (see connection.ts, takeover.ts).
  const event = opts.tls ? 'secureConnection' : 'connection';
  const parserListeners = server.listeners(event);
  const [parse] = parserListeners;
  if (parserListeners.length !== 1 || typeof parse !== 'function') {
    throw new Error(`unexpected HTTP server wiring: ${parserListeners.length} '${event}' listeners`);
  }
  const connectionListener = parse as (socket: Socket | EdgeSocket) => void;
  const maxLine = maxHeaderSize + 1024;
  /** LIST refused at `head` on a native connection: on to the framer, after the answers owed. */
  const takeOverForList = (socket: Socket, head: Buffer) => {
    const conn = connectionOf(socket);
    const wrapped = conn.convert({ head, held: true, maxLine });
    // Earlier pipelined requests may still be answering on the raw socket: the LIST (and what
    // follows) is parsed only once they are sent. setImmediate: Node's parser, just freed, unwinds.
    conn.whenIdle(() =>
      setImmediate(() => {
        if (wrapped.destroyed || wrapped.discarding) return;
        socket.setTimeout(0); // the native keep-alive timer; the new parser sets its own
        connectionListener.call(server, wrapped);
        // The client's later bytes from the next turn on, as fresh reads: Node's HTTP server
        // pauses a connection (backpressure) only between reads.
        setImmediate(() => wrapped.release());
      }),
    );
  };
  server.on('clientError', (err: ParseError, socket: Duplex) => {
    const head = socket instanceof EdgeSocket ? undefined : refusedList(err);
    if (head) takeOverForList(socket as Socket, head);
    else onClientError(err, socket, logger, requestTimeout);
  });
  server.on('tlsClientError', (err: Error) => logger.debug('TLS handshake failed', { error: err.message }));
  checkTakeover(server, connectionListener);

  const raws = new Set<Socket>();
  const conns = new Set<Connection>();
  server.removeAllListeners(event);
  server.on('connection', (raw: Socket) => {
    raws.add(raw);
    raw.once('close', () => raws.delete(raw));
  });
  server.on(event, (socket: Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    const conn = connectionOf(socket);
    conns.add(conn);
    socket.once('close', () => conns.delete(conn));
    // Node closes a connection after a `Connection: close` answer with destroySoon (resOnFinish
    // in _http_server; native.test.ts fails if it stops): close it gracefully instead, reading
    // and dropping what the client still sends (see EdgeSocket.destroySoon).
    (socket as { destroySoon?: () => void }).destroySoon = lingerClose;
    connectionListener.call(server, socket);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error('HTTP server error', { error: err }));

  const bound = server.address() as AddressInfo;
  const boundHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  const address = `${boundHost}:${bound.port}`;
  logger.debug('listening', { address, tls: opts.tls !== undefined });

  let closed: Promise<void> | undefined;
  return {
    address,
    url: `${opts.tls ? 'https' : 'http'}://${address}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
        // Connections without a request in flight go now; the others when answered (or at the
        // end of the grace period). A TLS connection is matched to its TCP socket by peer address.
        const busy = new Set<string>();
        for (const conn of conns) {
          if (conn.busy) busy.add(conn.peer);
          else conn.destroy();
        }
        for (const raw of raws) if (!busy.has(peer(raw))) raw.destroy();
        const grace = setTimeout(() => {
          for (const raw of raws) raw.destroy();
        }, opts.timeouts?.shutdownGrace ?? 5000);
        grace.unref();
      });
      return closed;
    },
  };
}

function peer(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

/** A native socket's destroySoon: the lingering close of its EdgeSocket. */
function lingerClose(this: Socket): void {
  connectionOf(this).convert().destroySoon();
}

/** `127.0.0.1:8200`, `[::1]:8200`, `:8200` (all interfaces). */
export function parseAddress(address: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port > 65535) throw new Error(`invalid listen address "${address}"`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}
