import type { Duplex } from 'node:stream';
import type { Logger } from '../sdk/logger.ts';
import { connectionOf } from './connection.ts';
import { rawErrorResponse } from './respond.ts';
import { ALLOWED_METHODS } from './verbs.ts';

/** What Node's HTTP server reports for input it refused: llhttp's code and the packet. */
export type ParseError = Error & { code?: string; rawPacket?: Buffer; bytesParsed?: number };

/**
 * A request the parser refused (or a broken connection), on either path: `socket` is the
 * client's socket (native path) or its EdgeSocket. Answers with a JSON error once every response
 * still owed on the connection has been sent, then closes gracefully. Never throws.
 */
export function onClientError(err: ParseError, socket: Duplex, logger: Logger, maxWait: number): void {
  const conn = connectionOf(socket);
  if (conn.failure) return;
  conn.fail(err);
  const answer = clientErrorAnswer(err);
  // Not a request at all (a connection that never sent a byte, or broke): just close.
  if (answer === undefined || conn.socket.bytesRead === 0) {
    socket.destroy();
    return;
  }
  logger.debug('refused malformed request', { code: err.code, remote_addr: conn.socket.remoteAddress });
  // Off Node's parser (if still on it): the rest of the client's bytes are dropped.
  const edge = conn.convert();
  edge.discard();
  const deadline = setTimeout(() => edge.destroy(), maxWait);
  deadline.unref();
  conn.whenIdle(() => {
    clearTimeout(deadline);
    if (edge.destroyed) return;
    if (answer.status !== 0 && edge.writable && !edge.writableEnded) {
      edge.write(rawErrorResponse(answer.status, answer.message, answer.headers));
    }
    edge.destroySoon();
  });
}

const LI = Buffer.from('LI', 'latin1');
const L = 0x4c;
const I = 0x49;
const S = 0x53;

/**
 * If llhttp refused the method `LIST` (it knows LINK and LOCK, so it fails at the `S`): the bytes
 * to frame from there on, `LI` included. The `LI` may lie in earlier chunks, which llhttp consumed
 * and we cannot see; then we infer it: a client splitting `LIST` across packets is the only
 * real-world case. An `S` refused after anything else (`MS`, `UNLI`+`ST` split right there) is then
 * framed as `LIS…` too and refused later by the framed parser, or served as LIST if it was the
 * `UNLIST` split — a method no client sends. `UNLIST` whole in one packet is not taken for LIST.
 */
export function refusedList(err: ParseError): Buffer | undefined {
  const packet = err.rawPacket;
  const at = err.bytesParsed;
  if (err.code !== 'HPE_INVALID_METHOD' || !packet || at === undefined || packet[at] !== S) return undefined;
  if (at >= 1 && packet[at - 1] !== I) return undefined;
  if (at >= 2 && packet[at - 2] !== L) return undefined;
  if (at >= 3 && isTokenByte(packet[at - 3]!)) return undefined; // the method began before `LI`
  return Buffer.concat([LI, packet.subarray(at)]);
}

export interface ClientErrorAnswer {
  /** 0: nothing to answer (data after `Connection: close`), just close. */
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/** The answer to a parser error; undefined for connection errors (reset, broken pipe). */
export function clientErrorAnswer(err: ParseError): ClientErrorAnswer | undefined {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'request header too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, message: 'request body too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'request timed out' };
    case 'HPE_CLOSED_CONNECTION':
      return { status: 0, message: '' };
    case 'HPE_INVALID_METHOD':
      return looksLikeRequestLine(err)
        ? { status: 405, message: 'unsupported method', headers: { Allow: ALLOWED_METHODS } }
        : { status: 400, message: 'malformed request' };
    default:
      return err.code?.startsWith('HPE_') ? { status: 400, message: 'malformed request' } : undefined;
  }
}

/** Whether the refused method starts a well-formed request line (an unknown method, not garbage). */
function looksLikeRequestLine(err: ParseError): boolean {
  const packet = err.rawPacket;
  if (!packet) return false;
  let start = Math.min(err.bytesParsed ?? 0, packet.length);
  while (start > 0 && isTokenByte(packet[start - 1]!)) start--;
  const line = packet.subarray(start, start + 8192).toString('latin1');
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^\s]+ HTTP\/1\.[01]\r\n/.test(line);
}

function isTokenByte(b: number): boolean {
  return /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(String.fromCharCode(b));
}
