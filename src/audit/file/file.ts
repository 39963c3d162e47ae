/**
 * The file audit device: appends JSON lines to a file opened with O_APPEND, and resolves a write
 * only after fdatasync, so an entry is on disk before the response leaves. Writes that arrive
 * while a write + fdatasync is in flight are batched into the next one (group commit). SIGHUP
 * reopens the path (logrotate); if that fails the device is broken and every write rejects until
 * a later reopen succeeds. `file_path` may also be `stdout` or `discard`, as in Vault.
 */
import { constants, promises as fs, type promises as fsp } from 'node:fs';
import type { AuditDevice, AuditDeviceFactory } from '../../core/audit/device.ts';
import { BadRequestError, InvalidFieldError } from '../../sdk/errors.ts';
import type { Logger } from '../../sdk/logger.ts';

const KNOWN = new Set(['file_path', 'path', 'mode']);
const DEFAULT_MODE = 0o600;

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

interface Pending {
  lines: string[];
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
  #queue: Pending[] = [];
  #flushScheduled = false;
  /** Serializes batches, reopen and close. */
  #lock: Promise<unknown> = Promise.resolve();
  #syncs = 0;

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
    return new Promise((resolve, reject) => {
      this.#queue.push({ lines, sync: opts.sync ?? true, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // Lines queued in the same tick (and while a batch is on its way) go together.
        void this.#exclusive(() => this.#flush());
      }
    });
  }

  async reopen(): Promise<void> {
    if (this.#closed) throw new Error('file audit device: closed');
    await this.#exclusive(async () => {
      const old = this.#fh;
      this.#fh = undefined;
      if (old) await old.close().catch(() => {});
      try {
        this.#fh = await openFile(this.#opts);
        this.#broken = undefined;
      } catch (err) {
        this.#broken = new Error(`file audit device: reopen failed: ${reason(err)}`, { cause: err });
        this.#logger.error('audit: cannot reopen the audit file', {
          path: this.#opts.filePath,
          error: reason(err),
        });
        throw this.#broken;
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#exclusive(async () => {
      const fh = this.#fh;
      this.#fh = undefined;
      await fh?.close();
    });
  }

  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    try {
      const fh = this.#fh;
      if (!fh) throw this.#broken ?? new Error('file audit device: closed');
      const buf = Buffer.from(batch.map((p) => `${p.lines.join('\n')}\n`).join(''), 'utf8');
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off, null);
        off += bytesWritten;
      }
      // fdatasync covers every earlier write to the file, so a batch of unsynced lines (request
      // entries) needs none: the next synced one (their response entries) makes them durable.
      if (batch.some((p) => p.sync)) {
        await fh.datasync();
        this.#syncs++;
      }
      for (const p of batch) p.resolve();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(e);
    }
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
