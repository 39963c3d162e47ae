import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { RequestFramer } from './framer.ts';

/** How long a closing connection keeps draining what the client still sends before it is cut. */
const DEFAULT_LINGER_MS = 2000;

export interface EdgeSocketOptions {
  /** Longest line the framer follows. */
  maxLine?: number;
  /** How long destroySoon() keeps draining the client's bytes (default 2 s). */
  lingerMs?: number;
  /** Bytes the client sent before the socket was wrapped; framed ahead of anything it sends next. */
  head?: Buffer;
  /** Keep the client's socket paused until release(), whatever reads this duplex. */
  held?: boolean;
}

/**
 * A connection as the HTTP server sees it once it left Node's native path (see connection.ts):
 * the client's socket (plain or TLS) with every byte the client sends passed through a
 * RequestFramer, so `LIST` arrives as `LOCK` (see framer.ts). Writes go straight to the socket.
 * Given this duplex rather than a net.Socket, Node's HTTP server reads it through 'data' events.
 * Backpressure runs both ways; close and errors of either side end the other.
 */
export class EdgeSocket extends Duplex {
  readonly framer: RequestFramer;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly encrypted: boolean;
  readonly #socket: Socket;
  readonly #lingerMs: number;
  /** Set when we are closing: the client's bytes are read and dropped, never parsed. */
  #discarding = false;
  /** Until release(): the client's socket is paused after each chunk, whoever asks for more. */
  #held: boolean;
  #lingerTimer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, opts: EdgeSocketOptions = {}) {
    super({ allowHalfOpen: true, emitClose: true, readableHighWaterMark: 16 * 1024 });
    this.#socket = socket;
    this.#lingerMs = opts.lingerMs ?? DEFAULT_LINGER_MS;
    this.#held = opts.held === true;
    this.framer = new RequestFramer(opts.maxLine === undefined ? {} : { maxLine: opts.maxLine });
    this.remoteAddress = socket.remoteAddress;
    this.remotePort = socket.remotePort;
    this.remoteFamily = socket.remoteFamily;
    this.localAddress = socket.localAddress;
    this.localPort = socket.localPort;
    this.encrypted = (socket as { encrypted?: boolean }).encrypted === true;

    if (opts.head) for (const part of this.framer.feed(opts.head)) this.push(part);
    if (this.#held) socket.pause();
    socket.on('data', (chunk: Buffer) => {
      if (this.#discarding || this.destroyed) return;
      let more = true;
      for (const part of this.framer.feed(chunk)) more = this.push(part) && more;
      if (!more || this.#held) socket.pause();
    });
    socket.on('end', () => {
      // Closing already: once our side has ended too, the socket closes by itself.
      if (this.#discarding) return;
      for (const part of this.framer.flush()) this.push(part);
      this.push(null);
    });
    socket.on('timeout', () => this.emit('timeout'));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => {
      if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
      if (!this.destroyed) this.destroy();
    });
  }

  /** The client's socket underneath (a net.Socket or a tls.TLSSocket). */
  get socket(): Socket {
    return this.#socket;
  }

  /** Whether the connection is closing (destroySoon, discard): input is dropped, not parsed. */
  get discarding(): boolean {
    return this.#discarding;
  }

  /** Ends `held`: the client's bytes flow to whoever reads this duplex. */
  release(): void {
    this.#held = false;
    if (!this.#discarding && !this.destroyed) this.#socket.resume();
  }

  override _read(): void {
    if (!this.#discarding && !this.#held) this.#socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.#socket.write(chunk)) cb();
    else this.#afterDrain(cb);
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    cb: (err?: Error | null) => void,
  ): void {
    this.#socket.cork();
    let ok = true;
    for (const { chunk } of chunks) ok = this.#socket.write(chunk) && ok;
    this.#socket.uncork();
    if (ok) cb();
    else this.#afterDrain(cb);
  }

  #afterDrain(cb: (err?: Error | null) => void): void {
    const onDrain = () => {
      this.#socket.off('close', onClose);
      cb();
    };
    const onClose = () => {
      this.#socket.off('drain', onDrain);
      cb(new Error('socket closed'));
    };
    this.#socket.once('drain', onDrain);
    this.#socket.once('close', onClose);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#socket.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
    this.#socket.destroy();
    cb(err);
  }

  /**
   * Closes gracefully: sends what is queued, then FIN; keeps reading (and dropping) what the client
   * still sends for a short while so the kernel answers with FIN, not RST, and the client gets to
   * read our last response; then destroys. The HTTP server calls this after a `Connection: close`
   * response.
   */
  destroySoon(): void {
    if (this.destroyed) return;
    this.#discarding = true;
    this.#socket.resume();
    this.end();
    this.#lingerTimer ??= setTimeout(() => this.destroy(), this.#lingerMs);
    this.#lingerTimer.unref?.();
  }

  /** After a parse error: stops handing the client's bytes to the HTTP parser; they are dropped. */
  discard(): void {
    this.#discarding = true;
    this.#socket.resume();
  }

  setTimeout(ms: number, cb?: () => void): this {
    this.#socket.setTimeout(ms);
    if (cb) {
      if (ms === 0) this.off('timeout', cb);
      else this.once('timeout', cb);
    }
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    this.#socket.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.#socket.setKeepAlive(enable, initialDelay);
    return this;
  }

  address(): ReturnType<Socket['address']> {
    return this.#socket.address();
  }

  ref(): this {
    this.#socket.ref();
    return this;
  }

  unref(): this {
    this.#socket.unref();
    return this;
  }

  get bytesRead(): number {
    return this.#socket.bytesRead;
  }

  get bytesWritten(): number {
    return this.#socket.bytesWritten;
  }
}
