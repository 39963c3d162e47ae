import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { RequestFramer } from './framer.ts';

/** How long a closing connection keeps draining what the client still sends before it is cut. */
const DEFAULT_LINGER_MS = 2000;

/**
 * A connection as the HTTP server sees it: the client's socket (plain or TLS) with every byte the
 * client sends passed through a RequestFramer, so `LIST` arrives as `LOCK` (see framer.ts).
 * Writes go straight to the socket. Given this duplex rather than a net.Socket, Node's HTTP server
 * reads it through 'data' events. Backpressure runs both ways; close and errors of either side
 * end the other.
 */
export class EdgeSocket extends Duplex {
  readonly framer: RequestFramer;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly encrypted: boolean;
  /** Set once the parser refused this connection's input (or the timeout hit); answered once. */
  failure: Error | undefined;
  readonly #onFail = new Set<(err: Error) => void>();
  readonly #socket: Socket;
  readonly #lingerMs: number;
  /** Set when we are closing: the client's bytes are read and dropped, never parsed. */
  #discarding = false;
  #lingerTimer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, opts: { maxLine?: number; lingerMs?: number } = {}) {
    super({ allowHalfOpen: true, emitClose: true, readableHighWaterMark: 16 * 1024 });
    this.#socket = socket;
    this.#lingerMs = opts.lingerMs ?? DEFAULT_LINGER_MS;
    this.framer = new RequestFramer(opts.maxLine === undefined ? {} : { maxLine: opts.maxLine });
    this.remoteAddress = socket.remoteAddress;
    this.remotePort = socket.remotePort;
    this.remoteFamily = socket.remoteFamily;
    this.localAddress = socket.localAddress;
    this.localPort = socket.localPort;
    this.encrypted = (socket as { encrypted?: boolean }).encrypted === true;

    socket.on('data', (chunk: Buffer) => {
      if (this.#discarding || this.destroyed) return;
      let more = true;
      for (const part of this.framer.feed(chunk)) more = this.push(part) && more;
      if (!more) socket.pause();
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

  override _read(): void {
    if (!this.#discarding) this.#socket.resume();
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

  /**
   * After a parse error: stops handing the client's bytes to the HTTP parser and tells whoever
   * waits for a body on this connection.
   */
  fail(err: Error): void {
    this.failure = err;
    this.#discarding = true;
    this.#socket.resume();
    for (const cb of this.#onFail) cb(err);
    this.#onFail.clear();
  }

  /** Calls `cb` if the connection's input turns out malformed; returns the unsubscribe. */
  onFail(cb: (err: Error) => void): () => void {
    if (this.failure) {
      cb(this.failure);
      return () => {};
    }
    this.#onFail.add(cb);
    return () => this.#onFail.delete(cb);
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
