import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../sdk/logger.ts';
import { EdgeSocket } from './edge-socket.ts';
import { rawErrorResponse } from './respond.ts';
import { ALLOWED_METHODS } from './verbs.ts';

/** What Node's HTTP server reports for input it refused: llhttp's code and the packet. */
export type ParseError = Error & { code?: string; rawPacket?: Buffer; bytesParsed?: number };

/**
 * A request the parser refused (or a broken connection). Answers with a JSON error once every
 * response still owed on the connection has been sent, then closes. Never throws.
 */
export function onClientError(err: ParseError, socket: Duplex, logger: Logger, maxWait: number): void {
  if (!(socket instanceof EdgeSocket)) {
    socket.destroy();
    return;
  }
  if (socket.failure) return;
  socket.fail(err);
  const answer = clientErrorAnswer(err);
  // Not a request at all (a connection that never sent a byte, or broke): just close.
  if (answer === undefined || socket.bytesRead === 0) {
    socket.destroy();
    return;
  }
  logger.debug('refused malformed request', { code: err.code, remote_addr: socket.remoteAddress });
  afterPendingResponses(socket, maxWait, () => {
    if (answer.status !== 0 && socket.writable && !socket.writableEnded) {
      socket.write(rawErrorResponse(answer.status, answer.message, answer.headers));
    }
    socket.destroySoon();
  });
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

/** Runs `then` once the connection owes no response any more (or cuts it after `maxWait`). */
function afterPendingResponses(socket: EdgeSocket, maxWait: number, then: () => void): void {
  const deadline = setTimeout(() => socket.destroy(), maxWait);
  deadline.unref();
  const check = () => {
    if (socket.destroyed) {
      clearTimeout(deadline);
      return;
    }
    const pending = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
    if (pending && !pending.writableFinished) {
      let fired = false;
      const next = () => {
        if (fired) return;
        fired = true;
        setImmediate(check);
      };
      pending.once('finish', next);
      pending.once('close', next);
      return;
    }
    clearTimeout(deadline);
    then();
  };
  check();
}
