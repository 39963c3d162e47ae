/**
 * The socket audit device: JSON lines over TCP or a unix socket (one connection, reconnected on
 * failure), or one UDP datagram per line. A write resolves once the kernel has taken the bytes
 * and rejects on failure or after `write_timeout`; on a broken connection it reconnects and
 * tries once more within the same timeout.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { AuditDevice, AuditDeviceFactory } from '../../core/audit/device.ts';
import { BadRequestError, InvalidFieldError } from '../../sdk/errors.ts';
import { parseDuration } from '../../sdk/framework/duration.ts';
import type { Logger } from '../../sdk/logger.ts';

const KNOWN = new Set(['address', 'socket_type', 'write_timeout']);

export type SocketType = 'tcp' | 'udp' | 'unix';

export interface SocketDeviceOptions {
  address: string;
  socketType: SocketType;
  /** Milliseconds. */
  writeTimeout: number;
}

export function parseSocketOptions(options: Record<string, string>): SocketDeviceOptions {
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k)) throw new InvalidFieldError(`unknown option "${k}" for the socket audit device`);
  }
  const address = options.address;
  if (!address) throw new InvalidFieldError('option "address" is required');
  const socketType = (options.socket_type ?? 'tcp') as SocketType;
  if (!['tcp', 'udp', 'unix'].includes(socketType)) {
    throw new InvalidFieldError('option "socket_type": expected "tcp", "udp" or "unix"');
  }
  if (socketType !== 'unix') hostPort(address);
  let writeTimeout = 2000;
  if (options.write_timeout !== undefined) {
    const secs = parseMs(options.write_timeout);
    if (secs === undefined || secs <= 0) {
      throw new InvalidFieldError('option "write_timeout": expected a positive duration such as "2s"');
    }
    writeTimeout = secs;
  }
  return { address, socketType, writeTimeout };
}

/** Milliseconds of a duration ("500ms", "2s", "2"); sub-second values are kept. */
function parseMs(v: string): number | undefined {
  const m = /^(\d+)ms$/.exec(v.trim());
  if (m) return Number(m[1]);
  const s = parseDuration(v);
  return s === undefined ? undefined : s * 1000;
}

/** `host:port` or `[v6]:port`. */
export function hostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) {
    throw new InvalidFieldError('option "address": expected "host:port"');
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export const socketFactory: AuditDeviceFactory = async (options, deps) => {
  const opts = parseSocketOptions(options);
  const device =
    opts.socketType === 'udp' ? new UdpAuditDevice(opts) : new StreamAuditDevice(opts, deps.logger);
  try {
    await device.connect();
  } catch (err) {
    await device.close();
    throw new BadRequestError(`socket audit device: cannot connect to the address: ${reason(err)}`, {
      cause: err,
    });
  }
  return device;
};

/** TCP or unix socket: one connection, serialized writes, reconnect on failure. */
export class StreamAuditDevice implements AuditDevice {
  readonly type = 'socket';
  readonly #opts: SocketDeviceOptions;
  readonly #logger: Logger;
  #sock: net.Socket | undefined;
  #closed = false;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(opts: SocketDeviceOptions, logger: Logger) {
    this.#opts = opts;
    this.#logger = logger;
  }

  /** Connects now (the factory checks the address is reachable). */
  async connect(): Promise<void> {
    await this.#serial(async () => {
      this.#sock ??= await this.#dial(Date.now() + this.#opts.writeTimeout);
    });
  }

  write(lines: string[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('socket audit device: closed'));
    if (lines.length === 0) return Promise.resolve();
    const data = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    return this.#serial(async () => {
      const deadline = Date.now() + this.#opts.writeTimeout;
      try {
        await this.#writeOnce(data, deadline);
      } catch (err) {
        this.#drop();
        if (Date.now() >= deadline) throw err;
        this.#logger.warn('audit: socket write failed, reconnecting', { error: reason(err) });
        await this.#writeOnce(data, deadline);
      }
    });
  }

  async reopen(): Promise<void> {
    await this.#serial(async () => this.#drop());
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#serial(async () => this.#drop());
  }

  async #writeOnce(data: Buffer, deadline: number): Promise<void> {
    this.#sock ??= await this.#dial(deadline);
    const sock = this.#sock;
    await withDeadline(
      deadline,
      new Promise<void>((resolve, reject) => {
        sock.write(data, (err) => (err ? reject(err) : resolve()));
      }),
      () => sock.destroy(),
    );
  }

  #dial(deadline: number): Promise<net.Socket> {
    const { address, socketType } = this.#opts;
    const sock = socketType === 'unix' ? net.connect({ path: address }) : net.connect(hostPort(address));
    sock.on('error', () => {}); // surfaced through the pending write / connect; 'close' follows
    sock.on('close', () => {
      if (this.#sock === sock) this.#sock = undefined;
    });
    sock.on('data', () => {}); // the collector never talks back; drain if it does
    return withDeadline(
      deadline,
      new Promise<net.Socket>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        sock.once('error', onError);
        sock.once('connect', () => {
          sock.off('error', onError);
          resolve(sock);
        });
      }),
      () => sock.destroy(),
    );
  }

  #drop(): void {
    this.#sock?.destroy();
    this.#sock = undefined;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => {});
    return run;
  }
}

/** UDP: one datagram per line, no connection state beyond the bound socket. */
export class UdpAuditDevice implements AuditDevice {
  readonly type = 'socket';
  readonly #opts: SocketDeviceOptions;
  #sock: dgram.Socket | undefined;
  #closed = false;

  constructor(opts: SocketDeviceOptions) {
    this.#opts = opts;
  }

  async connect(): Promise<void> {
    if (this.#sock) return;
    const { host, port } = hostPort(this.#opts.address);
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    sock.on('error', () => {});
    await withDeadline(
      Date.now() + this.#opts.writeTimeout,
      new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.connect(port, host, () => {
          sock.off('error', reject);
          resolve();
        });
      }),
      () => closeQuietly(sock),
    );
    this.#sock = sock;
  }

  async write(lines: string[]): Promise<void> {
    if (this.#closed) throw new Error('socket audit device: closed');
    const deadline = Date.now() + this.#opts.writeTimeout;
    if (!this.#sock) await this.connect();
    const sock = this.#sock!;
    await Promise.all(
      lines.map((line) =>
        withDeadline(
          deadline,
          new Promise<void>((resolve, reject) => {
            sock.send(`${line}\n`, (err) => (err ? reject(err) : resolve()));
          }),
          () => {},
        ),
      ),
    );
  }

  async reopen(): Promise<void> {
    const sock = this.#sock;
    this.#sock = undefined;
    if (sock) closeQuietly(sock);
    if (!this.#closed) await this.connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const sock = this.#sock;
    this.#sock = undefined;
    if (sock) closeQuietly(sock);
  }
}

/** The longest delay one setTimeout waits; Node fires a longer one after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function withDeadline<T>(deadline: number, p: Promise<T>, onTimeout: () => void): Promise<T> {
  if (deadline - Date.now() <= 0) {
    p.catch(() => {});
    onTimeout();
    return Promise.reject(new Error('socket audit device: write timed out'));
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // a write_timeout past ~24.8 days waits in several timers
    const arm = () => {
      const ms = deadline - Date.now();
      if (ms > MAX_TIMER_MS) {
        timer = setTimeout(arm, MAX_TIMER_MS);
        return;
      }
      timer = setTimeout(() => {
        onTimeout();
        reject(new Error('socket audit device: write timed out'));
      }, ms);
    };
    arm();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function closeQuietly(sock: dgram.Socket): void {
  try {
    sock.close();
  } catch {
    // already closed
  }
}
