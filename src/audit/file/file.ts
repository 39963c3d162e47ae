/**
 * The file audit device: appends JSON lines to a file opened with O_APPEND. The lines accepted in
 * one turn of the event loop (the request and response entries of every request handled in it) go
 * out in one writeSync at the end of that turn (a copy into the page cache, no disk I/O: a failure
 * rejects those writes); only fdatasync runs on the thread pool. A synced write resolves after an
 * fdatasync that started after its append, so the entry is on disk before the response leaves.
 * Group commit: at most one fdatasync is in flight, and synced writes that arrive meanwhile all
 * wait for the next one. SIGHUP reopens the path (logrotate): writes wait for the new file, and the
 * old one is fdatasynced before it is closed; if the reopen fails the device is broken and every
 * write rejects until a later reopen succeeds. `file_path` may also be `stdout` or `discard`, as in
 * Vault.
 */
import { constants, fdatasync, promises as fs, type promises as fsp, writeSync } from 'node:fs';
import type { AuditDevice, AuditDeviceFactory } from '../../core/audit/device.ts';
import { BadRequestError, InvalidFieldError } from '../../sdk/errors.ts';
import type { Logger } from '../../sdk/logger.ts';

const KNOWN = new Set(['file_path', 'path', 'mode']);
const DEFAULT_MODE = 0o600;
/** Larger batches are encoded into a Buffer of their own. */
const MAX_SCRATCH = 4 * 1024 * 1024;

export interface FileDeviceOptions {
  /** An absolute or relative path; the directory must exist (it is not created). */
  filePath: string;
  /** Applied with chmod after opening; 0 leaves the mode alone (as Vault's "0000"). */
  mode: number;
}

export function parseFileOptions(options: Record<string, string>): FileDeviceOptions {
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k)) throw new InvalidFieldError(`unknown option "${k}" for the file audit device`);
  }
  const filePath = options.file_path ?? options.path;
  if (!filePath) throw new InvalidFieldError('option "file_path" is required');
  if (filePath.includes('\0')) throw new InvalidFieldError('option "file_path" is not a valid path');
  let mode = DEFAULT_MODE;
  if (options.mode !== undefined) {
    if (!/^0?[0-7]{1,4}$/.test(options.mode))
      throw new InvalidFieldError('option "mode": expected an octal mode such as "0600"');
    mode = Number.parseInt(options.mode, 8);
  }
  return { filePath, mode };
}

export const fileFactory: AuditDeviceFactory = async (options, deps) => {
  const opts = parseFileOptions(options);
  if (opts.filePath === 'discard') return new DiscardDevice();
  if (opts.filePath === 'stdout') return new StreamDevice(process.stdout);
  try {
    return await FileAuditDevice.open(opts, deps.logger);
  } catch (err) {
    throw new BadRequestError(`file audit device: cannot open the file: ${reason(err)}`, { cause: err });
  }
};

/** A write that arrived while a reopen was in progress: appended to the new file once it is open. */
interface Held {
  /** The lines, each ending in a newline. */
  text: string;
  sync: boolean;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class FileAuditDevice implements AuditDevice {
  readonly type = 'file';
  readonly #opts: FileDeviceOptions;
  readonly #logger: Logger;
  #fh: fsp.FileHandle | undefined;
  /** Set when a reopen failed: why every write rejects. */
  #broken: Error | undefined;
  #closed = false;
  /** Set while a reopen is in progress: writes wait here instead of failing. */
  #held: Held[] | undefined;
  /** Accepted lines waiting for this turn's append. */
  #pending: Held[] = [];
  #appendScheduled = false;
  /** The last fdatasync started or queued (never rejects): the next one starts after it. */
  #syncing: Promise<void> = Promise.resolve();
  /** The queued fdatasync that synced writes join; undefined once it has started. */
  #nextSync: Promise<void> | undefined;
  /** Serializes reopen and close. */
  #lock: Promise<unknown> = Promise.resolve();
  #syncs = 0;
  /**
   * Reused for every batch's UTF-8 bytes (the append is synchronous): no Buffer allocated and no
   * separate length pass per batch. Grows to the largest batch seen, up to MAX_SCRATCH.
   */
  #scratch = Buffer.allocUnsafeSlow(0);

  private constructor(opts: FileDeviceOptions, logger: Logger, fh: fsp.FileHandle) {
    this.#opts = opts;
    this.#logger = logger;
    this.#fh = fh;
  }

  static async open(opts: FileDeviceOptions, logger: Logger): Promise<FileAuditDevice> {
    return new FileAuditDevice(opts, logger, await openFile(opts));
  }

  /** How many fdatasyncs were done (group commit keeps it far below the number of writes). */
  get syncCount(): number {
    return this.#syncs;
  }

  get path(): string {
    return this.#opts.filePath;
  }

  write(lines: string[], opts: { sync?: boolean } = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('file audit device: closed'));
    if (lines.length === 0) return Promise.resolve();
    const text = lines.length === 1 ? `${lines[0]}\n` : `${lines.join('\n')}\n`;
    const sync = opts.sync ?? true;
    return new Promise((resolve, reject) => {
      this.#pending.push({ text, sync, resolve, reject });
      if (!this.#appendScheduled) {
        this.#appendScheduled = true;
        // The lines of every request handled in this turn of the event loop go out in one write.
        setImmediate(() => this.#appendPending());
      }
    });
  }

  /** Appends the lines waiting for this turn's write (or holds them while a reopen runs). */
  #appendPending(): void {
    this.#appendScheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    if (this.#held) {
      this.#held.push(...batch);
      return;
    }
    this.#appendBatch(batch);
  }

  /** One append for the whole batch; then unsynced lines resolve, synced ones join the next fdatasync. */
  #appendBatch(batch: Held[]): void {
    // One UTF-8 encoding of the whole batch (no Buffer per line, no concatenation of Buffers).
    let text = '';
    for (const h of batch) text += h.text;
    const buf = this.#encode(text);
    const fh = this.#fh;
    const failed = fh ? this.#append(fh, buf) : (this.#broken ?? new Error('file audit device: closed'));
    if (failed) {
      for (const h of batch) h.reject(failed);
      return;
    }
    const synced = batch.some((h) => h.sync) ? this.#sync(fh!) : undefined;
    for (const h of batch) {
      if (h.sync) synced!.then(h.resolve, h.reject);
      else h.resolve();
    }
  }

  /** `text` as UTF-8, in the scratch buffer when it fits (a UTF-16 unit is at most 3 bytes). */
  #encode(text: string): Buffer {
    const most = text.length * 3;
    if (most > MAX_SCRATCH) return Buffer.from(text, 'utf8');
    if (most > this.#scratch.length) {
      this.#scratch = Buffer.allocUnsafeSlow(
        Math.min(MAX_SCRATCH, Math.max(most, 2 * this.#scratch.length, 64 * 1024)),
      );
    }
    return this.#scratch.subarray(0, this.#scratch.write(text, 0, 'utf8'));
  }

  async reopen(): Promise<void> {
    if (this.#closed) throw new Error('file audit device: closed');
    // Lines accepted before the call go to the old file; held from here on, so a write issued
    // after reopen() goes to the new one.
    this.#appendPending();
    this.#held ??= [];
    await this.#exclusive(async () => {
      this.#held ??= [];
      try {
        await this.#closeFile().catch(() => {});
        this.#fh = await openFile(this.#opts);
        this.#broken = undefined;
      } catch (err) {
        this.#broken = new Error(`file audit device: reopen failed: ${reason(err)}`, { cause: err });
        this.#logger.error('audit: cannot reopen the audit file', {
          path: this.#opts.filePath,
          error: reason(err),
        });
        throw this.#broken;
      } finally {
        const held = this.#held ?? [];
        this.#held = undefined;
        if (held.length > 0) this.#appendBatch(held);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#appendPending();
    await this.#exclusive(() => this.#closeFile());
  }

  /** Appends `buf` on the event loop (writeSync, a page-cache copy); the error, if it failed. */
  #append(fh: fsp.FileHandle, buf: Buffer): Error | undefined {
    try {
      for (let off = 0; off < buf.length; ) off += writeSync(fh.fd, buf, off, buf.length - off);
      return undefined;
    } catch (err) {
      const msg = `file audit device: cannot write to "${this.#opts.filePath}": ${reason(err)}`;
      return new Error(msg, { cause: err });
    }
  }

  /**
   * Resolves after an fdatasync of `fh` that starts after this call (group commit). `fh` is the
   * current file: a reopen holds writes and waits for `#syncing` before it replaces the file.
   */
  #sync(fh: fsp.FileHandle): Promise<void> {
    if (this.#nextSync) return this.#nextSync;
    // Even when none is in flight it starts a microtask later: writes of the same tick join it.
    const next = this.#syncing.then(() => {
      this.#nextSync = undefined; // appends from now on need the one after
      return this.#datasync(fh);
    });
    this.#nextSync = next;
    this.#syncing = next.catch(() => {});
    return next;
  }

  /** fdatasync through the callback API (lighter than FileHandle's); close waits for it. */
  #datasync(fh: fsp.FileHandle): Promise<void> {
    return new Promise((resolve, reject) => {
      fdatasync(fh.fd, (err) => {
        if (err) return reject(err);
        this.#syncs++;
        resolve();
      });
    });
  }

  /**
   * Makes every line appended to the current file durable (unsynced request lines too: their
   * response lines may go to the next file), then closes it. Never under an in-flight fdatasync.
   */
  async #closeFile(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    if (!fh) return;
    await this.#syncing;
    await this.#datasync(fh).catch((err: unknown) => {
      this.#logger.error('audit: cannot fdatasync the audit file before closing it', {
        path: this.#opts.filePath,
        error: reason(err),
      });
    });
    await fh.close();
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }
}

async function openFile(opts: FileDeviceOptions): Promise<fsp.FileHandle> {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;
  const fh = await fs.open(opts.filePath, flags, opts.mode || DEFAULT_MODE);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`"${opts.filePath}" is not a regular file`);
    if (opts.mode !== 0) await fh.chmod(opts.mode);
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
  return fh;
}

/** The OS error (it names the path, never anything secret). */
function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `file_path=discard`: accepts and drops everything. */
export class DiscardDevice implements AuditDevice {
  readonly type = 'file';
  async write(_lines: string[]): Promise<void> {}
  async reopen(): Promise<void> {}
  async close(): Promise<void> {}
}

/** `file_path=stdout`: resolves once the stream has taken the lines. */
export class StreamDevice implements AuditDevice {
  readonly type = 'file';
  readonly #out: NodeJS.WritableStream;
  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
  }
  write(lines: string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#out.write(`${lines.join('\n')}\n`, (err) => (err ? reject(err) : resolve()));
    });
  }
  async reopen(): Promise<void> {}
  async close(): Promise<void> {}
}
