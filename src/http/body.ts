import type { IncomingMessage } from 'node:http';
import { BadRequestError, MalformedJSONError, PayloadTooLargeError } from '../sdk/errors.ts';

/**
 * Reads a request body into memory, refusing more than `limit` bytes: a Content-Length above the
 * limit fails at once, a body that grows past it fails as soon as it does (the caller answers 413
 * and closes the connection rather than reading the rest). `signal` aborts the read (the
 * connection broke, or its framing did).
 */
export function readBody(req: IncomingMessage, limit: number, signal?: AbortSignal): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new PayloadTooLargeError('request body too large'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.pause();
        reject(err);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done(new PayloadTooLargeError('request body too large'));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onClose = () => done(new BadRequestError('request body incomplete'));
    const onError = () => done(new BadRequestError('request body incomplete'));
    const onAbort = () => done(new BadRequestError('malformed request body'));
    if (signal?.aborted) {
      onAbort();
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onError);
    signal?.addEventListener('abort', onAbort);
  });
}

/**
 * True when no object or array in `text` nests deeper than `max`. Brackets inside strings do not
 * count. Linear, no recursion: `[[[[…` a million deep is answered in milliseconds. A string is
 * skipped with indexOf to its closing quote (one not escaped by an odd run of backslashes), so a
 * body of long values costs little more than its brackets.
 */
export function jsonDepthWithin(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = closingQuote(text, i);
      if (end === -1) return true; // unterminated: no bracket after it counts (JSON.parse refuses it)
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return false;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return true;
}

/** The index of the quote that closes the string opened at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q === -1) return -1;
    let backslashes = 0;
    for (let k = q - 1; k > open && text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A request body as request data: empty → {}; otherwise it must be valid UTF-8 JSON, nested at
 * most `maxDepth` deep, and an object.
 */
export function parseJSONBody(body: Buffer, maxDepth: number): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new MalformedJSONError('failed to parse JSON input');
  }
  if (text.trim() === '') return {};
  if (!jsonDepthWithin(text, maxDepth)) {
    throw new MalformedJSONError(`failed to parse JSON input: nested deeper than ${maxDepth}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedJSONError('failed to parse JSON input');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedJSONError('failed to parse JSON input: the body must be a JSON object');
  }
  if (MAYBE_INEXACT.test(text)) refuseInexactNumbers(text);
  return value as Record<string, unknown>;
}

/**
 * Text that may hold a number a double cannot hold: an integer of 16 digits or more (2^53 has 16),
 * or an exponent of 3 digits (1e309 overflows). Most bodies have neither, and skip the second parse.
 */
const MAYBE_INEXACT = /\d{16}|\d[eE]\+?\d{3}/;

/**
 * Refuses a number JSON.parse would change: one that overflows to Infinity (`1e999`, stored as
 * null), or an integer literal it rounds (`12345678901234567890` → …67000). Stored as is they would
 * silently alter the data (Vault keeps such literals exactly); a float's usual rounding is kept.
 * The message names the key, never the number (it may be secret data).
 */
function refuseInexactNumbers(text: string): void {
  JSON.parse(text, (key: string, value: unknown, context?: { source?: string }) => {
    if (typeof value !== 'number') return value;
    const source = context?.source ?? '';
    const changed = !Number.isFinite(value) || (/^-?\d+$/.test(source) && BigInt(source) !== BigInt(value));
    if (changed) {
      const where = /^\d+$/.test(key) ? 'in an array' : `at key ${JSON.stringify(key)}`;
      throw new MalformedJSONError(
        `failed to parse JSON input: a number ${where} cannot be stored exactly; send it as a string`,
      );
    }
    return value;
  });
}
