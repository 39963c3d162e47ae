/**
 * The LIST rewriter. Node's HTTP parser (llhttp) refuses the method `LIST`, which node-vault and
 * hvac send by default. The framer sits between the socket and the parser, follows HTTP/1.1
 * request boundaries (request line, headers, then a Content-Length or chunked body) and rewrites
 * the `LIST ` that starts a request into `LOCK `, a method of the same length that llhttp knows.
 * For every request whose method is LOCK on the wire after rewriting, it records in a FIFO
 * whether it was a rewritten LIST (true) or a genuine LOCK (false); the edge takes one entry per
 * LOCK request it receives.
 *
 * The framer must never disagree with llhttp about where a request starts: a disagreement would
 * rewrite bytes of a body. It therefore follows exactly the framing llhttp accepts and, on anything
 * it is not sure of, becomes *poisoned*: it passes the rest of the connection through untouched
 * and records nothing more. Being stricter than llhttp is safe (LIST is then refused on that
 * connection, a LOCK is refused with 405); being more lenient is safe too (llhttp rejects the
 * request and the connection is closed).
 */

const LIST = Buffer.from('LIST ', 'latin1');
const LOCK = Buffer.from('LOCK ', 'latin1');
const LF = 0x0a;
const CR = 0x0d;

/** The longest line (request line, header line, chunk-size line) the framer follows. */
const DEFAULT_MAX_LINE = 64 * 1024;

type State =
  | 'start' // before a request: skipping CR/LF, then matching the method
  | 'request-line'
  | 'header-line'
  | 'body' // Content-Length bytes left in `remaining`
  | 'chunk-size'
  | 'chunk-data' // chunk bytes left in `remaining`
  | 'chunk-end' // the CRLF after a chunk's data
  | 'trailer-line'
  | 'poisoned';

export interface FramerOptions {
  /** Longest line followed; longer ones poison the framer (llhttp refuses them anyway). */
  maxLine?: number;
  /** Most LIST/LOCK records kept before the edge consumes them; more poisons the framer. */
  maxPending?: number;
}

export class RequestFramer {
  /** One entry per request sent on as LOCK: true when it was a LIST the framer rewrote. */
  readonly pending: boolean[] = [];
  #state: State = 'start';
  /** The start of the method while it may still be `LIST ` or `LOCK ` (at most 4 bytes). */
  #method: number[] = [];
  /** Bytes of the current line (header, chunk size, trailer). */
  #line: Buffer[] = [];
  #lineLength = 0;
  #remaining = 0;
  #contentLength: number | undefined;
  #chunked = false;
  #transferEncodings = 0;
  #poisonReason: string | undefined;
  readonly #maxLine: number;
  readonly #maxPending: number;

  constructor(opts: FramerOptions = {}) {
    this.#maxLine = opts.maxLine ?? DEFAULT_MAX_LINE;
    this.#maxPending = opts.maxPending ?? 16_384;
  }

  /** Why the framer stopped following the stream, if it did. */
  get poisoned(): string | undefined {
    return this.#poisonReason;
  }

  /** Takes the record of the next LOCK request: 'list' if it was rewritten, else 'lock'. */
  takeLock(): 'list' | 'lock' {
    return this.pending.shift() === true ? 'list' : 'lock';
  }

  /**
   * Feeds bytes from the wire; returns what to hand to the HTTP parser, in order. Unchanged
   * input comes back as the same Buffer (no copy).
   */
  feed(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let emitFrom = 0; // start of the part of `chunk` not yet emitted
    let i = 0;
    while (i < chunk.length) {
      switch (this.#state) {
        case 'poisoned':
          i = chunk.length;
          break;
        case 'start': {
          const byte = chunk[i]!;
          if (this.#method.length === 0 && (byte === CR || byte === LF)) {
            i++; // llhttp skips empty lines before a request
            break;
          }
          // Hold the first bytes of the method back until we know whether they are `LIST `.
          if (i > emitFrom) out.push(chunk.subarray(emitFrom, i));
          this.#method.push(byte);
          i++;
          emitFrom = i;
          const maybeList = startsWith(LIST, this.#method);
          const maybeLock = startsWith(LOCK, this.#method);
          if (this.#method.length < LIST.length && (maybeList || maybeLock)) break;
          if (maybeList) {
            out.push(Buffer.from(LOCK));
            this.#record(true);
          } else {
            if (maybeLock) this.#record(false);
            out.push(Buffer.from(this.#method));
          }
          this.#lineLength = this.#method.length;
          this.#method = [];
          if (this.#state === 'start') this.#state = 'request-line';
          break;
        }
        case 'request-line': {
          const lf = chunk.indexOf(LF, i);
          const end = lf === -1 ? chunk.length : lf;
          this.#lineLength += end - i;
          if (this.#lineLength > this.#maxLine) {
            this.#poison('request line too long');
            break;
          }
          if (lf === -1) {
            i = chunk.length;
            break;
          }
          i = lf + 1;
          this.#startHeaders();
          break;
        }
        case 'header-line':
        case 'chunk-size':
        case 'chunk-end':
        case 'trailer-line': {
          const lf = chunk.indexOf(LF, i);
          const end = lf === -1 ? chunk.length : lf;
          this.#lineLength += end - i;
          if (this.#lineLength > this.#maxLine) {
            this.#poison('line too long');
            break;
          }
          this.#line.push(chunk.subarray(i, end));
          if (lf === -1) {
            i = chunk.length;
            break;
          }
          i = lf + 1;
          let line = Buffer.concat(this.#line).toString('latin1');
          this.#line = [];
          this.#lineLength = 0;
          if (line.endsWith('\r')) line = line.slice(0, -1);
          this.#onLine(line);
          break;
        }
        case 'body':
        case 'chunk-data': {
          const n = Math.min(this.#remaining, chunk.length - i);
          i += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            this.#state = this.#state === 'body' ? 'start' : 'chunk-end';
          }
          break;
        }
      }
    }
    if (emitFrom < chunk.length) out.push(emitFrom === 0 ? chunk : chunk.subarray(emitFrom));
    return out;
  }

  /** At the end of the stream: whatever is still held back. */
  flush(): Buffer[] {
    const held = this.#method;
    this.#method = [];
    return held.length > 0 ? [Buffer.from(held)] : [];
  }

  #record(rewritten: boolean): void {
    if (this.pending.length >= this.#maxPending) {
      this.#poison('too many pipelined LIST/LOCK requests');
      return;
    }
    this.pending.push(rewritten);
  }

  #startHeaders(): void {
    this.#state = 'header-line';
    this.#line = [];
    this.#lineLength = 0;
    this.#contentLength = undefined;
    this.#chunked = false;
    this.#transferEncodings = 0;
  }

  #onLine(line: string): void {
    switch (this.#state) {
      case 'header-line':
        if (line === '') this.#endHeaders();
        else this.#onHeader(line);
        return;
      case 'chunk-size':
        this.#onChunkSize(line);
        return;
      case 'chunk-end':
        if (line !== '') this.#poison('junk after chunk data');
        else this.#state = 'chunk-size';
        return;
      case 'trailer-line':
        if (line === '') this.#state = 'start';
        return;
    }
  }

  #onHeader(line: string): void {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      this.#poison('folded header');
      return;
    }
    const colon = line.indexOf(':');
    if (colon === -1) return; // llhttp refuses it; nothing for us to follow
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (name === 'content-length') {
      if (this.#contentLength !== undefined || !/^[0-9]+$/.test(value)) {
        this.#poison('unusual Content-Length');
        return;
      }
      const n = Number(value);
      if (!Number.isSafeInteger(n)) {
        this.#poison('Content-Length too large');
        return;
      }
      this.#contentLength = n;
    } else if (name === 'transfer-encoding') {
      this.#transferEncodings++;
      const codings = value.toLowerCase().split(',');
      const last = codings[codings.length - 1]?.trim();
      if (this.#transferEncodings > 1 || last !== 'chunked') {
        this.#poison('unusual Transfer-Encoding');
        return;
      }
      this.#chunked = true;
    }
  }

  #endHeaders(): void {
    if (this.#chunked && this.#contentLength !== undefined) {
      this.#poison('both Content-Length and Transfer-Encoding');
      return;
    }
    if (this.#chunked) {
      this.#state = 'chunk-size';
    } else if (this.#contentLength !== undefined && this.#contentLength > 0) {
      this.#state = 'body';
      this.#remaining = this.#contentLength;
    } else {
      this.#state = 'start';
    }
  }

  #onChunkSize(line: string): void {
    const m = /^([0-9A-Fa-f]+)(;.*)?$/.exec(line);
    if (!m) {
      this.#poison('invalid chunk size');
      return;
    }
    let size = 0;
    for (const c of m[1]!) {
      size = size * 16 + Number.parseInt(c, 16);
      if (size > Number.MAX_SAFE_INTEGER) {
        this.#poison('chunk size too large');
        return;
      }
    }
    if (size === 0) {
      this.#state = 'trailer-line';
    } else {
      this.#state = 'chunk-data';
      this.#remaining = size;
    }
  }

  #poison(reason: string): void {
    this.#state = 'poisoned';
    this.#poisonReason = reason;
    this.#line = [];
  }
}

function startsWith(word: Buffer, bytes: readonly number[]): boolean {
  for (let k = 0; k < bytes.length; k++) if (word[k] !== bytes[k]) return false;
  return true;
}
