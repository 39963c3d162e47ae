/**
 * The audit broker: keeps the table of enabled devices (behind the barrier), a salt per device,
 * and writes every request and response to all devices in parallel. It fails closed: with at
 * least one device enabled, an entry that no device could write is an error, and core refuses
 * the request (or withholds the response).
 */
import { randomUUID } from 'node:crypto';
import { BadRequestError, InternalError } from '../../sdk/errors.ts';
import type { Logger } from '../../sdk/logger.ts';
import type { Request } from '../../sdk/request.ts';
import type { StorageView } from '../../sdk/storage-view.ts';
import type { AuditDevice, AuditDeviceFactory } from './device.ts';
import {
  type AuditInput,
  blocksFit,
  type EntryBlocks,
  type EntryFormat,
  entryBlocks,
  requestLine,
  responseLine,
} from './entry.ts';
import { hashString, newSalt, SALT_BYTES } from './hash.ts';
import { type CommonOptions, splitOptions } from './options.ts';

/** One enabled device as stored in the table. */
export interface AuditTableEntry {
  /** e.g. `file/` */
  path: string;
  type: string;
  description: string;
  options: Record<string, string>;
  local: boolean;
  /** Names the device's salt in storage. */
  uuid: string;
}

export interface EnableParams {
  type: string;
  description?: string;
  options?: Record<string, string>;
  local?: boolean;
}

/** What `sys/audit` shows for a device. */
export interface AuditDeviceInfo {
  type: string;
  description: string;
  options: Record<string, string>;
  local: boolean;
  path: string;
}

export interface AuditBrokerDeps {
  /** A barrier view of the broker's own: `table` and `salt/<uuid>` live in it. */
  storage: Pick<StorageView, 'get' | 'put' | 'delete' | 'batch' | 'getJSON'>;
  factories: ReadonlyMap<string, AuditDeviceFactory>;
  logger: Logger;
  now(): Date;
  /** Randomness for salts (default: crypto.randomBytes). */
  random?(bytes: number): Buffer;
}

/** No enabled device could write an entry. Core answers 500 and does not go on. */
export class AuditFailedError extends InternalError {}

interface Live {
  entry: AuditTableEntry;
  common: CommonOptions;
  salt: Buffer;
  /** How this device formats entries (its salt and common options). */
  fmt: EntryFormat;
  /** Undefined when it could not be opened at load: counts as a failing device until reopened. */
  device: AuditDevice | undefined;
}

const TABLE_KEY = 'table';
const saltKey = (uuid: string) => `salt/${uuid}`;

export function normalizeAuditPath(path: string): string {
  const p = path.replace(/^\/+|\/+$/g, '');
  if (p === '' || p.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new BadRequestError('invalid audit device path');
  }
  return `${p}/`;
}

export class AuditBroker {
  readonly #deps: AuditBrokerDeps;
  #live = new Map<string, Live>();
  #chain: Promise<unknown> = Promise.resolve();
  /**
   * Per request, the serialized `auth` and `request` blocks its request entry was built from, by
   * device: its response entry reuses them. Dropped once the response is logged (and with the
   * request, being weak), so nothing outlives the request.
   */
  #blocks = new WeakMap<Request, Map<Live, EntryBlocks>>();
  #lastTimeMs = Number.NaN;
  #lastTimeText = '';

  constructor(deps: AuditBrokerDeps) {
    this.#deps = deps;
  }

  /** Reads the device table and opens every device; one that fails to open stays enabled, failing. */
  load(): Promise<void> {
    return this.#serial(async () => {
      await this.#closeAll();
      const table =
        (await this.#deps.storage.getJSON<{ entries: AuditTableEntry[] }>(TABLE_KEY))?.entries ?? [];
      for (const entry of table) {
        let salt = await this.#deps.storage.get(saltKey(entry.uuid));
        if (!salt || salt.length !== SALT_BYTES) {
          salt = this.#salt();
          await this.#deps.storage.put(saltKey(entry.uuid), salt);
        }
        const live = newLive(entry, splitOptions(entry.options).common, salt, undefined);
        this.#live.set(entry.path, live);
        await this.#open(live);
      }
    });
  }

  /** Closes every device (seal). */
  unload(): Promise<void> {
    return this.#serial(() => this.#closeAll());
  }

  /** True when at least one device is enabled (then every request must be audited). */
  enabled(): boolean {
    return this.#live.size > 0;
  }

  logRequest(input: AuditInput): Promise<void> {
    return this.#log(input, 'request');
  }

  logResponse(input: AuditInput): Promise<void> {
    return this.#log(input, 'response');
  }

  /** SIGHUP: reopens every device (and retries the ones that failed to open). Never throws. */
  reopenAll(): Promise<void> {
    return this.#serial(async () => {
      await Promise.all(
        [...this.#live.values()].map(async (live) => {
          if (!live.device) return this.#open(live);
          try {
            await live.device.reopen();
          } catch (err) {
            this.#deps.logger.error('audit: reopening a device failed', {
              path: live.entry.path,
              error: message(err),
            });
          }
        }),
      );
    });
  }

  /** Enables a device: it must open (file created, socket reachable) or this throws a 400. */
  enable(path: string, params: EnableParams): Promise<void> {
    return this.#serial(async () => {
      const p = normalizeAuditPath(path);
      for (const other of this.#live.keys()) {
        if (other.startsWith(p) || p.startsWith(other)) throw new BadRequestError('path already in use');
      }
      const factory = this.#deps.factories.get(params.type);
      if (!factory) throw new BadRequestError(`unknown audit device type "${params.type}"`);
      const options = { ...(params.options ?? {}) };
      const { common, device: deviceOptions } = splitOptions(options);
      const device = await factory(deviceOptions, { logger: this.#deviceLogger(p) });
      const entry: AuditTableEntry = {
        path: p,
        type: params.type,
        description: params.description ?? '',
        options,
        local: params.local ?? false,
        uuid: randomUUID(),
      };
      const salt = this.#salt();
      try {
        await this.#deps.storage.batch([
          { op: 'put', key: saltKey(entry.uuid), value: salt },
          { op: 'put', key: TABLE_KEY, value: this.#tableBytes([...this.#entries(), entry]) },
        ]);
      } catch (err) {
        await device.close().catch(() => {});
        throw err;
      }
      this.#live.set(p, newLive(entry, common, salt, device));
      this.#deps.logger.info('audit: device enabled', { path: p, type: params.type });
    });
  }

  /** Disables a device; disabling a path with no device is not an error (as Vault). */
  disable(path: string): Promise<void> {
    return this.#serial(async () => {
      const p = normalizeAuditPath(path);
      const live = this.#live.get(p);
      if (!live) return;
      const rest = this.#entries().filter((e) => e.path !== p);
      await this.#deps.storage.batch([
        { op: 'put', key: TABLE_KEY, value: this.#tableBytes(rest) },
        { op: 'delete', key: saltKey(live.entry.uuid) },
      ]);
      this.#live.delete(p);
      live.salt.fill(0);
      await live.device?.close().catch((err: unknown) => {
        this.#deps.logger.warn('audit: closing a device failed', { path: p, error: message(err) });
      });
      this.#deps.logger.info('audit: device disabled', { path: p });
    });
  }

  /** `sys/audit`: the devices by path. */
  list(): Record<string, AuditDeviceInfo> {
    const out: Record<string, AuditDeviceInfo> = {};
    for (const { entry } of this.#live.values()) {
      out[entry.path] = {
        type: entry.type,
        description: entry.description,
        options: { ...entry.options },
        local: entry.local,
        path: entry.path,
      };
    }
    return out;
  }

  /** `sys/audit-hash`: the HMAC the device at `path` would log for `input`. */
  hash(path: string, input: string): string {
    const live = this.#live.get(normalizeAuditPath(path));
    if (!live) throw new BadRequestError('unknown audit device');
    return hashString(live.salt, input);
  }

  /** `now.toISOString()`, made once per millisecond (V8 formats it through printf). */
  #timeText(now: Date): string {
    const ms = now.getTime();
    if (ms !== this.#lastTimeMs) {
      this.#lastTimeMs = ms;
      this.#lastTimeText = now.toISOString();
    }
    return this.#lastTimeText;
  }

  async #log(input: AuditInput, kind: 'request' | 'response'): Promise<void> {
    if (this.#live.size === 0) return;
    const time = this.#timeText(this.#deps.now());
    let built: Map<Live, EntryBlocks> | undefined;
    if (kind === 'request') {
      built = new Map();
      this.#blocks.set(input.request, built);
    } else {
      built = this.#blocks.get(input.request);
      this.#blocks.delete(input.request);
    }
    // Entries are built before the first await: later changes to the request do not leak in.
    // Request lines are written (a device that cannot write still refuses the request) but synced
    // together with the response line, before the response leaves: one fdatasync a request.
    const sync = kind === 'response';
    if (this.#live.size === 1) {
      // One device (the common case): no settling of a list.
      const live = this.#live.values().next().value as Live;
      try {
        if (!live.device) throw new Error('the device could not be opened');
        await live.device.write([live.common.prefix + entryLine(kind, input, live, time, built)], { sync });
        return;
      } catch (err) {
        this.#failed(input, kind, [{ path: live.entry.path, error: message(err) }]);
      }
    }
    const targets = [...this.#live.values()];
    const writes = targets.map((live) => {
      try {
        if (!live.device) throw new Error('the device could not be opened');
        const line = live.common.prefix + entryLine(kind, input, live, time, built);
        return live.device.write([line], { sync });
      } catch (err) {
        return Promise.reject(err);
      }
    });
    const results = await Promise.allSettled(writes);
    let ok = 0;
    const failures: { path: string; error: string }[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') ok++;
      else failures.push({ path: targets[i]!.entry.path, error: message(r.reason) });
    });
    if (ok === 0) this.#failed(input, kind, failures);
    for (const f of failures) this.#deps.logger.error(`audit: device failed to log the ${kind}`, f);
  }

  /** No device could log the entry: logs why and throws (core refuses the request). */
  #failed(
    input: AuditInput,
    kind: 'request' | 'response',
    failures: { path: string; error: string }[],
  ): never {
    for (const f of failures) this.#deps.logger.error(`audit: device failed to log the ${kind}`, f);
    const msg = `audit: no device could log the ${kind}`;
    this.#deps.logger.error(msg, { request_id: input.request.id, path: input.request.path });
    throw new AuditFailedError(msg);
  }

  async #open(live: Live): Promise<void> {
    const factory = this.#deps.factories.get(live.entry.type);
    try {
      if (!factory) throw new Error(`unknown audit device type "${live.entry.type}"`);
      const { device } = splitOptions(live.entry.options);
      live.device = await factory(device, { logger: this.#deviceLogger(live.entry.path) });
    } catch (err) {
      live.device = undefined;
      this.#deps.logger.error('audit: a device could not be opened; it fails every entry until reopened', {
        path: live.entry.path,
        error: message(err),
      });
    }
  }

  async #closeAll(): Promise<void> {
    const lives = [...this.#live.values()];
    this.#live = new Map();
    await Promise.all(
      lives.map(async (l) => {
        l.salt.fill(0);
        await l.device?.close().catch(() => {});
      }),
    );
  }

  #entries(): AuditTableEntry[] {
    return [...this.#live.values()].map((l) => l.entry);
  }

  #tableBytes(entries: AuditTableEntry[]): Buffer {
    return Buffer.from(JSON.stringify({ entries }), 'utf8');
  }

  #salt(): Buffer {
    return this.#deps.random ? this.#deps.random(SALT_BYTES) : newSalt();
  }

  #deviceLogger(path: string): Logger {
    return this.#deps.logger.child({ audit_device: path });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => {});
    return run;
  }
}

function newLive(
  entry: AuditTableEntry,
  common: CommonOptions,
  salt: Buffer,
  device: AuditDevice | undefined,
): Live {
  const fmt: EntryFormat = {
    salt,
    logRaw: common.logRaw,
    hmacAccessor: common.hmacAccessor,
    elideListResponses: common.elideListResponses,
  };
  return { entry, common, salt, fmt, device };
}

/**
 * One device's line. A request line stores its blocks in `built`; a response line reuses the
 * ones its request line stored, or builds them when there are none that still fit (only a
 * response logged, a device enabled in between, a field the blocks read was replaced).
 */
function entryLine(
  kind: 'request' | 'response',
  input: AuditInput,
  live: Live,
  time: string,
  built: Map<Live, EntryBlocks> | undefined,
): string {
  if (kind === 'request') {
    const blocks = entryBlocks(input, live.fmt);
    built?.set(live, blocks);
    return requestLine(input, blocks, time);
  }
  let blocks = built?.get(live);
  if (!blocks || !blocksFit(blocks, input)) blocks = entryBlocks(input, live.fmt);
  return responseLine(input, live.fmt, blocks, time);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
