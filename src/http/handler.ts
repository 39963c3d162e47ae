import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BadRequestError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedOperationError,
} from '../sdk/errors.ts';
import type { Logger } from '../sdk/logger.ts';
import type { Request, Response } from '../sdk/request.ts';
import { parseJSONBody, readBody } from './body.ts';
import { type ClientErrorAnswer, clientErrorAnswer, type ParseError } from './client-error.ts';
import { connectionOf } from './connection.ts';
import { EdgeSocket } from './edge-socket.ts';
import { apiPath, parseTarget, queryData, queryFlag } from './path.ts';
import { send, sendError, sendResponse } from './respond.ts';
import { ALLOWED_METHODS, verbFor } from './verbs.ts';

export interface EdgeOptions {
  handle: (req: Request) => Promise<Response>;
  logger: Logger;
  maxRequestSize: number;
  maxJSONDepth: number;
  ui?: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /** True once the server is shutting down: answers then close their connection. */
  closing?: () => boolean;
}

/** Headers that carry credentials: never copied into Request.headers (so never logged). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-vault-token', 'cookie']);

/**
 * The method the client sent. On a connection moved to the framer (an EdgeSocket), LIST arrives as
 * LOCK; every LOCK request takes one record from its connection's FIFO to tell a rewritten LIST
 * from a genuine LOCK. On a native connection a LOCK is a LOCK. Call exactly once per request the
 * HTTP server parses.
 */
export function clientMethod(req: IncomingMessage): string {
  const method = req.method ?? '';
  if (method !== 'LOCK') return method;
  const socket = req.socket;
  const listed = socket instanceof EdgeSocket && socket.framer.takeLock() === 'list';
  if (listed) req.method = 'LIST';
  return listed ? 'LIST' : 'LOCK';
}

/**
 * Serves one request: path, verb and body to a Request, core's answer (or error) to the wire.
 * `expectContinue`: the client waits for `100 Continue` before sending its body.
 */
export async function serve(
  opts: EdgeOptions,
  req: IncomingMessage,
  res: ServerResponse,
  expectContinue = false,
): Promise<void> {
  const id = randomUUID();
  const debug = opts.logger.enabled?.('debug') !== false;
  const started = debug ? performance.now() : 0;
  const method = clientMethod(req);
  const headers: Record<string, string> = {};
  let path: string | undefined;
  let bodyPending = hasBody(req);
  try {
    if (req.httpVersionMajor !== 1) {
      headers.Connection = 'close';
      throw new BadRequestError('unsupported HTTP version');
    }
    if (req.httpVersionMinor === 1 && req.headers.host === undefined) {
      throw new BadRequestError('missing required Host header');
    }
    const target = parseTarget(req.url ?? '');
    path = apiPath(target.path);
    if (path === undefined) {
      if (opts.ui?.(req, res)) return;
      throw new NotFoundError();
    }
    if (path === '') throw new NotFoundError();
    const listFlag = queryFlag(target.query, 'list');
    const help = queryFlag(target.query, 'help');
    if (listFlag === undefined) throw new BadRequestError('invalid value for list');
    if (help === undefined) throw new BadRequestError('invalid value for help');
    const verb = verbFor(method, listFlag, path);
    if ('refused' in verb) {
      headers.Allow = ALLOWED_METHODS;
      throw new UnsupportedOperationError('unsupported method');
    }

    let data: Record<string, unknown>;
    if (verb.body === 'query') {
      if (declaredLength(req) > opts.maxRequestSize) throw new PayloadTooLargeError('request body too large');
      data = queryData(target.query);
    } else {
      if (bodyPending && expectContinue && declaredLength(req) <= opts.maxRequestSize) res.writeContinue();
      data = await bodyData(opts, req, verb.body === 'json-or-query' ? target.query : undefined);
      bodyPending = false;
    }

    const contentType = mediaType(req.headers['content-type']);
    const request: Request = {
      id,
      operation: verb.operation,
      path,
      data,
      headers: requestHeaders(req),
      clientToken: clientToken(req),
      remoteAddr: remoteAddr(req),
      ...(help ? { help: true } : {}),
      ...(contentType === undefined ? {} : { contentType }),
    };
    const out = await opts.handle(request);
    if (mustClose()) headers.Connection = 'close';
    sendResponse(res, id, out, headers);
  } catch (err) {
    if (mustClose(err)) headers.Connection = 'close';
    if (err instanceof BrokenConnection) {
      const { status: code, message, headers: more } = err.answer;
      send(res, code, JSON.stringify({ errors: [message] }), { ...headers, ...more });
    } else {
      sendError(res, id, err, opts.logger, headers);
    }
  } finally {
    if (debug) {
      opts.logger.debug('request', {
        request_id: id,
        method,
        ...(path === undefined ? {} : { path }),
        status: res.statusCode,
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
        remote_addr: remoteAddr(req),
      });
    }
  }

  /**
   * After a refused or unread body (413, broken framing, a body never asked for with `100
   * Continue`) the connection is out of step with the client: answer, then close.
   */
  function mustClose(err?: unknown): boolean {
    return (
      opts.closing?.() === true ||
      err instanceof PayloadTooLargeError ||
      (bodyPending && (expectContinue || !req.complete))
    );
  }
}

/**
 * The request data of a body (or of `query` when given and the body is empty). The body's Buffer
 * lives only in this frame: a local of serve() would be kept until the response (locals of a
 * suspended async function stay reachable), through a write's wait for the disk, long enough to
 * be promoted and then freed only by a major GC.
 */
async function bodyData(
  opts: EdgeOptions,
  req: IncomingMessage,
  query: string | undefined,
): Promise<Record<string, unknown>> {
  const body = await readRequestBody(opts, req);
  return query !== undefined && body.toString('utf8').trim() === ''
    ? queryData(query)
    : parseJSONBody(body, opts.maxJSONDepth);
}

/**
 * The body, within the size limit. If the connection's framing breaks while this request's body
 * is still arriving, the read fails (400) instead of waiting for bytes that will never come.
 */
async function readRequestBody(opts: EdgeOptions, req: IncomingMessage): Promise<Buffer> {
  const aborter = new AbortController();
  const unsubscribe = connectionOf(req.socket).onFail((err) => {
    if (!req.complete) aborter.abort(err);
  });
  try {
    return await readBody(req, opts.maxRequestSize, aborter.signal);
  } catch (err) {
    if (aborter.signal.aborted) throw new BrokenConnection(aborter.signal.reason as ParseError);
    throw err;
  } finally {
    unsubscribe();
  }
}

/** The connection failed (bad framing, timeout) while this request's body was arriving. */
class BrokenConnection extends Error {
  readonly answer: ClientErrorAnswer;
  constructor(cause: ParseError) {
    super('connection failed', { cause });
    const answer = clientErrorAnswer(cause);
    this.answer = answer && answer.status !== 0 ? answer : { status: 400, message: 'malformed request' };
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || declaredLength(req) > 0;
}

function declaredLength(req: IncomingMessage): number {
  const value = req.headers['content-length'];
  return value === undefined ? 0 : Number(value);
}

/** `Application/JSON; charset=utf-8` → `application/json`. */
function mediaType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type === undefined || type === '' ? undefined : type;
}

function requestHeaders(req: IncomingMessage): Record<string, string> {
  const all = req.headers;
  const out: Record<string, string> = {};
  for (const name in all) {
    const value = all[name];
    if (value === undefined || CREDENTIAL_HEADERS.has(name)) continue;
    // (Node never lists a header named __proto__: its own parser drops it the same way.)
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** `X-Vault-Token`, else `Authorization: Bearer …`, else ''. */
function clientToken(req: IncomingMessage): string {
  const vaultToken = req.headers['x-vault-token'];
  if (typeof vaultToken === 'string' && vaultToken !== '') return vaultToken;
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '');
  return bearer?.[1] ?? '';
}

/** The peer's address; an IPv4 client on a dual-stack listener as plain IPv4. */
function remoteAddr(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
