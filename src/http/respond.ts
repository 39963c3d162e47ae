import { type ServerResponse, STATUS_CODES } from 'node:http';
import { asCofferError, type CofferError } from '../sdk/errors.ts';
import type { Logger } from '../sdk/logger.ts';
import type { Response } from '../sdk/request.ts';
import { envelopeBody, hasEnvelope } from './envelope.ts';

/** Sent on every response, errors included. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Content-Type': 'application/json',
};

/**
 * Writes a whole response with exactly the base headers and `headers` (which may override them);
 * `body` undefined sends none. `bodyBytes`: the body's UTF-8 size when the caller knows it.
 */
export function send(
  res: ServerResponse,
  status: number,
  body: string | undefined,
  headers: Readonly<Record<string, string>> = {},
  bodyBytes?: number,
): void {
  if (res.headersSent) {
    // Too late for a status: the only honest signal left is to cut the connection.
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  const all = withBaseHeaders(headers);
  // 1xx, 204 and 304 carry no body and no Content-Length (RFC 9110 §8.6).
  if (body === undefined || status < 200 || status === 204 || status === 304) {
    res.writeHead(status, all);
    res.end();
    return;
  }
  all.push('Content-Length', bodyBytes ?? Buffer.byteLength(body, 'utf8'));
  res.writeHead(status, all);
  // A string body goes out in the same write as the headers (one syscall).
  res.end(body, 'utf8');
}

/**
 * The base headers with `headers` over them, as writeHead's flat [name, value, …] list. Header
 * names are case-insensitive: an override replaces the base header of any case.
 */
function withBaseHeaders(headers: Readonly<Record<string, string>>): Array<string | number> {
  const names = Object.keys(headers);
  if (names.length === 0) return [...BASE_LIST];
  const all: Record<string, string> = { ...BASE_HEADERS };
  for (const name of names) {
    const lower = name.toLowerCase();
    for (const base of Object.keys(all)) if (base.toLowerCase() === lower) delete all[base];
    all[name] = headers[name]!;
  }
  return Object.entries(all).flat();
}

const BASE_LIST: readonly string[] = Object.entries(BASE_HEADERS).flat();

/** Sends what core answered: raw, in the envelope, or 204. */
export function sendResponse(
  res: ServerResponse,
  requestId: string,
  out: Response,
  edgeHeaders: Readonly<Record<string, string>> = {},
): void {
  const headers = out.headers === undefined ? edgeHeaders : { ...out.headers, ...edgeHeaders };
  if (out.raw !== undefined) {
    send(res, out.status ?? 200, JSON.stringify(out.raw) ?? 'null', headers);
  } else if (hasEnvelope(out)) {
    const body = envelopeBody(requestId, out);
    send(res, out.status ?? 200, body.text, headers, body.bytes);
  } else {
    send(res, out.status ?? 204, undefined, headers);
  }
}

/** The `{"errors":[...]}` body of an error: its public message, or nothing when that is empty. */
export function errorBody(err: CofferError): string {
  const message = err.publicMessage;
  return JSON.stringify({ errors: message === '' ? [] : [message] });
}

/**
 * Maps anything thrown to a catalog error and sends it. 5xx errors other than 503 are logged in
 * full with the request id; the client only learns "internal error".
 */
export function sendError(
  res: ServerResponse,
  requestId: string,
  thrown: unknown,
  logger: Logger,
  headers: Readonly<Record<string, string>> = {},
): CofferError {
  const err = asCofferError(thrown);
  if (err.status >= 500 && err.status !== 503) {
    logger.error('request failed', { request_id: requestId, error: describe(err) });
  }
  send(res, err.status, errorBody(err), headers);
  return err;
}

function describe(err: CofferError): Record<string, unknown> {
  const cause = err.cause;
  return {
    name: err.name,
    code: err.code,
    message: err.message,
    ...(err.details === undefined ? {} : { details: err.details }),
    ...(cause instanceof Error
      ? { cause: { name: cause.name, message: cause.message, stack: cause.stack } }
      : { stack: err.stack }),
  };
}

/**
 * A complete HTTP/1.1 error response as bytes, for answers written straight to the connection
 * when there is no request object (parse errors, header overflow, timeouts). Always closes.
 */
export function rawErrorResponse(
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): Buffer {
  const body = JSON.stringify({ errors: message === '' ? [] : [message] });
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    ...Object.entries({ ...BASE_HEADERS, ...headers }).map(([name, value]) => `${name}: ${value}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}
