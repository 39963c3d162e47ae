/**
 * Test helpers for the edge: a server whose core echoes the Request back, and a raw HTTP/1.1
 * client that writes exact bytes (split and timed as asked) and parses the answers in order.
 */
import net from 'node:net';
import tls from 'node:tls';
import { jsonLogger } from '../sdk/logger.ts';
import type { Request, Response } from '../sdk/request.ts';
import { type HttpOptions, type HttpServer, startHttpServer } from './server.ts';

export interface EchoServer extends HttpServer {
  port: number;
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Every Request core received. */
  requests: Request[];
}

/** A server on 127.0.0.1:0 whose core answers `{ raw: request }`, unless `handle` is given. */
export async function startEchoServer(
  opts: Partial<HttpOptions> & { handle?: (req: Request) => Promise<Response> } = {},
): Promise<EchoServer> {
  const logs: Array<Record<string, unknown>> = [];
  const requests: Request[] = [];
  const handle = opts.handle ?? (async (req: Request): Promise<Response> => ({ raw: req }));
  const server = await startHttpServer({
    address: '127.0.0.1:0',
    logger: jsonLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line)) }),
    ...opts,
    handle: (req) => {
      requests.push(req);
      return handle(req);
    },
  });
  const port = Number(server.address.slice(server.address.lastIndexOf(':') + 1));
  return Object.assign(server, { port, logs, requests });
}

export interface RawResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
}

/** A step of a raw exchange: bytes to write, or a pause in milliseconds. */
export type Step = string | Buffer | { wait: number };

export interface RawExchange {
  responses: RawResponse[];
  /** Whether the server closed the connection. */
  closed: boolean;
}

/**
 * Connects, writes the steps, and collects responses until `count` arrived (1xx not counted),
 * the server closes, or `timeoutMs` passes. `head` lists the indexes of responses to HEAD requests
 * (they carry no body); `readAfterMs` leaves the answers unread that long (a slow reader).
 */
export async function exchange(
  target: { port: number; tls?: tls.ConnectionOptions },
  steps: Step[],
  count: number,
  opts: { timeoutMs?: number; head?: number[]; keepOpenMs?: number; readAfterMs?: number } = {},
): Promise<RawExchange> {
  const socket: net.Socket = target.tls
    ? tls.connect({ port: target.port, host: '127.0.0.1', ...target.tls })
    : net.connect({ port: target.port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once(target.tls ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  const parser = new ResponseParser(opts.head ?? []);
  if (opts.readAfterMs !== undefined) {
    socket.pause();
    setTimeout(() => socket.resume(), opts.readAfterMs);
  }
  let closed = false;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, opts.timeoutMs ?? 5000);
    const check = () => {
      if (closed || parser.responses.length >= count) {
        clearTimeout(timer);
        if (closed || opts.keepOpenMs === undefined) resolve();
        else setTimeout(resolve, opts.keepOpenMs);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      parser.feed(chunk);
      check();
    });
    socket.on('close', () => {
      closed = true;
      check();
    });
    socket.on('error', () => {});
  });
  for (const step of steps) {
    if (typeof step === 'object' && !Buffer.isBuffer(step)) await sleep(step.wait);
    else if (!socket.destroyed) socket.write(step);
  }
  await done;
  socket.destroy();
  return { responses: parser.responses, closed };
}

/** One request's bytes. `body` sets Content-Length unless a Transfer-Encoding header is given. */
export function rawRequest(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): string {
  const headers: Record<string, string> = { Host: '127.0.0.1', ...opts.headers };
  const hasTE = Object.keys(headers).some((h) => h.toLowerCase() === 'transfer-encoding');
  if (opts.body !== undefined && !hasTE) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `${method} ${path} HTTP/1.1\r\n${head}\r\n${opts.body ?? ''}`;
}

/** A chunked body: each part one chunk, then the last chunk. */
export function chunked(...parts: string[]): string {
  return `${parts
    .filter((p) => p !== '')
    .map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`)
    .join('')}0\r\n\r\n`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Parses HTTP/1.1 responses that carry Content-Length or no body (what the edge sends). */
class ResponseParser {
  readonly responses: RawResponse[] = [];
  #buffer = Buffer.alloc(0);
  readonly #head: number[];

  constructor(head: number[]) {
    this.#head = head;
  }

  feed(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const lines = this.#buffer.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0]?.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      const noBody =
        (status >= 100 && status < 200) ||
        status === 204 ||
        status === 304 ||
        this.#head.includes(this.responses.length);
      const length = noBody ? 0 : Number(headers['content-length'] ?? 0);
      if (this.#buffer.length < end + 4 + length) return;
      const body = this.#buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.#buffer = this.#buffer.subarray(end + 4 + length);
      if (status >= 100 && status < 200) continue;
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      this.responses.push({ status, headers, body, json });
    }
  }
}
