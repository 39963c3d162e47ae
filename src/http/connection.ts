import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { EdgeSocket, type EdgeSocketOptions } from './edge-socket.ts';
import { detachParser } from './takeover.ts';

/**
 * What the edge keeps about one client connection. A connection starts on Node's native path (its
 * socket read by Node's HTTP parser directly) and may be converted once, for good, to an
 * EdgeSocket: to pass a LIST through the framer, or to answer a refused request and close.
 * Both the client's socket and its EdgeSocket map to the same Connection.
 */
export class Connection {
  /** The client's socket (net.Socket or tls.TLSSocket) as the HTTP server first got it. */
  readonly socket: Socket;
  /** `address|port` of the client, to match a TLS connection with its TCP socket. */
  readonly peer: string;
  /** Set once the connection has left Node's native parser. */
  edge: EdgeSocket | undefined;
  /** Set once the parser refused the connection's input (or it timed out, or broke). */
  failure: Error | undefined;
  #inFlight = 0;
  #whenIdle: Array<() => void> = [];
  readonly #onFail = new Set<(err: Error) => void>();

  constructor(socket: Socket) {
    this.socket = socket;
    this.peer = `${socket.remoteAddress}|${socket.remotePort}`;
  }

  /** Whether a response is owed: a request was handed to the edge and its response has not closed. */
  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /** Counts `res` as owed until it closes (sent, or cut with the connection). */
  track(res: ServerResponse): void {
    this.#inFlight++;
    // A response closes once: `on` spares the once-wrapper.
    res.on('close', () => {
      if (--this.#inFlight > 0) return;
      const callbacks = this.#whenIdle;
      this.#whenIdle = [];
      for (const cb of callbacks) cb();
    });
  }

  /** Runs `cb` once no response is owed: now if none is, else when the last one closes. */
  whenIdle(cb: () => void): void {
    if (this.#inFlight === 0) cb();
    else this.#whenIdle.push(cb);
  }

  /** Records the failure and tells whoever waits for a body on this connection. */
  fail(err: Error): void {
    this.failure = err;
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

  /**
   * The connection's EdgeSocket, made on first call: Node's parser is detached from the client's
   * socket, which the EdgeSocket then wraps (see EdgeSocketOptions for `head` and `held`). The
   * caller hands it to the HTTP server, or uses it to answer and close. Later calls return it as is.
   */
  convert(opts: EdgeSocketOptions = {}): EdgeSocket {
    if (this.edge) return this.edge;
    detachParser(this.socket);
    const edge = new EdgeSocket(this.socket, opts);
    // Until the HTTP server listens to it (and if it never does), its errors only end it.
    edge.on('error', () => {});
    this.edge = edge;
    connections.set(edge, this);
    return edge;
  }

  /** Destroys the connection at once. */
  destroy(): void {
    this.edge?.destroy();
    this.socket.destroy();
  }
}

const connections = new WeakMap<object, Connection>();

/** The Connection of a socket the HTTP server reads (the client's socket or its EdgeSocket). */
export function connectionOf(socket: object): Connection {
  let conn = connections.get(socket);
  if (conn === undefined) {
    conn = new Connection(socket as Socket);
    connections.set(socket, conn);
  }
  return conn;
}
