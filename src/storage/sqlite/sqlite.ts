import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { Storage, StorageOp } from '../storage.ts';
import type { CommitMessage, WriterData, WriterMessage, WriterReply } from './writer-thread.ts';

/**
 * The embedded default backend: one SQLite file (node:sqlite), WAL mode, synchronous=FULL, so a
 * write is on disk (fsync'ed) before its promise resolves.
 *
 * Schema, version 1 (kept in PRAGMA user_version):
 *
 *   CREATE TABLE entries (
 *     key   BLOB NOT NULL PRIMARY KEY,  -- the storage key as UTF-8 bytes
 *     value BLOB NOT NULL               -- opaque bytes (ciphertext, above the barrier)
 *   ) WITHOUT ROWID;
 *
 * Keys are BLOBs so SQLite compares them bytewise: UTF-8 byte order is code point order, and the
 * subtree of a folder `p/x/` is exactly the key range [`p/x/`, `p/x0`) ('0' follows '/'). list()
 * walks the primary key index from the prefix and seeks past each child folder's subtree, so it
 * reads O(children) rows however many descendants there are; it then sorts its result by UTF-16
 * code unit, the order the Storage contract asks for. Keys must be well-formed UTF-16 (a lone
 * surrogate has no UTF-8 form and would collide with U+FFFD); others are refused.
 *
 * Group commit: put, delete and batch calls are queued and, on the next turn of the event loop,
 * committed together in one transaction (one fsync) by a writer thread with its own connection
 * (./writer-thread.ts); then all their promises resolve, or all reject if the transaction failed.
 * While a group commits, new writes queue up and form the next group. The fsync blocks the writer
 * thread, never the event loop. Reads use the main thread's connection (node:sqlite is
 * synchronous; WAL lets them run beside the writer) and see every write whose promise has
 * resolved: SQLite makes a commit visible only once it is in the WAL, synced.
 */
const SCHEMA_VERSION = 1;

export type SqliteStorageOptions = {
  /** The database file; missing parent folders are created (mode 0700), a new file gets mode 0600. */
  path: string;
  /** How long a write waits for a lock held by another connection before failing (default 5000). */
  busyTimeoutMs?: number;
};

/** Counters for tests and metrics. */
export type SqliteStorageStats = {
  /** Write transactions committed (one per group of queued writes). */
  commits: number;
  /** Put and delete operations committed. */
  writes: number;
  /** Index rows list() has read, to check it does not scan descendants. */
  listRowsRead: number;
};

type Write = { key: Buffer; value: Buffer | undefined };
type Queued = { writes: Write[]; resolve: () => void; reject: (err: Error) => void };
type InFlight = { id: number; group: Queued[]; count: number };

export class SqliteStorage implements Storage {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #stmt: Record<'get' | 'scan' | 'scanToEnd', StatementSync>;
  readonly #stats: SqliteStorageStats = { commits: 0, writes: 0, listRowsRead: 0 };
  readonly #writer: Worker;
  #queue: Queued[] = [];
  #sendScheduled = false;
  #inFlight: InFlight | undefined;
  #nextId = 1;
  /** Set when the writer thread died: every write fails with it. */
  #broken: Error | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #onIdle: (() => void) | undefined;

  private constructor(path: string, db: DatabaseSync, busyTimeoutMs: number) {
    this.path = path;
    this.#db = db;
    this.#stmt = {
      get: db.prepare('SELECT value FROM entries WHERE key = ?'),
      scan: db.prepare('SELECT key FROM entries WHERE key >= ? AND key < ? ORDER BY key'),
      scanToEnd: db.prepare('SELECT key FROM entries WHERE key >= ? ORDER BY key'),
    };
    this.#writer = new Worker(new URL('./writer-thread.ts', import.meta.url), {
      workerData: { path, busyTimeoutMs } satisfies WriterData,
    });
    // An idle writer does not keep the process alive; one with a group in flight does.
    this.#writer.unref();
    this.#writer.on('message', (reply: WriterReply) => this.#onReply(reply));
    this.#writer.on('error', (err) => this.#fail(err));
    this.#writer.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`writer thread exited (code ${code})`));
    });
  }

  /** Opens (creating if needed) the database at `opts.path`. Errors name the path. */
  static open(opts: SqliteStorageOptions): SqliteStorage {
    if (typeof opts.path !== 'string' || opts.path === '') {
      throw new Error('sqlite storage: path must be a non-empty string');
    }
    const path = resolve(opts.path);
    let db: DatabaseSync | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Create the file ourselves so it gets mode 0600; SQLite gives its -wal and -shm files the
      // same mode as the database file.
      closeSync(openSync(path, 'a', 0o600));
      db = new DatabaseSync(path, { timeout: opts.busyTimeoutMs ?? 5000 });
      const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
      if (mode !== 'wal') throw new Error(`could not enable WAL mode (journal_mode is ${String(mode)})`);
      // FULL: the WAL is fsync'ed at every commit, so an acknowledged write survives power loss.
      // fullfsync makes that true on macOS too (F_FULLFSYNC); it is a no-op elsewhere.
      db.exec('PRAGMA synchronous = FULL; PRAGMA fullfsync = ON');
      migrate(db);
      return new SqliteStorage(path, db, opts.busyTimeoutMs ?? 5000);
    } catch (err) {
      if (db?.isOpen) db.close();
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`sqlite storage: cannot open ${path}: ${reason}`, { cause: err });
    }
  }

  /** A snapshot of the counters. */
  get stats(): SqliteStorageStats {
    return { ...this.#stats };
  }

  async get(key: string): Promise<Buffer | undefined> {
    this.#assertOpen();
    const row = this.#stmt.get.get(encodeKey(key));
    if (row === undefined) return undefined;
    const v = row.value as Uint8Array;
    // node:sqlite hands out a fresh copy of the blob, so the Buffer can share its memory.
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }

  async put(key: string, value: Buffer): Promise<void> {
    return this.#enqueue([{ key: encodeKey(key), value: copyValue(value) }]);
  }

  async delete(key: string): Promise<void> {
    return this.#enqueue([{ key: encodeKey(key), value: undefined }]);
  }

  async batch(ops: StorageOp[]): Promise<void> {
    const writes = ops.map((o): Write => {
      if (o.op === 'put') return { key: encodeKey(o.key), value: copyValue(o.value) };
      if (o.op === 'delete') return { key: encodeKey(o.key), value: undefined };
      throw new TypeError(`sqlite storage: unknown batch op ${JSON.stringify((o as { op: unknown }).op)}`);
    });
    return this.#enqueue(writes);
  }

  async list(prefix: string): Promise<string[]> {
    this.#assertOpen();
    const start = encodeKey(prefix);
    // Every key that starts with `prefix` is below the prefix with its last byte incremented
    // (UTF-8 has no 0xFF byte, so that never overflows).
    const end = prefix === '' ? undefined : Buffer.from(start);
    if (end !== undefined) end[end.length - 1]! += 1;
    const out: string[] = [];
    let from: Buffer | undefined = start;
    while (from !== undefined) {
      const rows: Iterable<Record<string, unknown>> =
        end === undefined ? this.#stmt.scanToEnd.iterate(from) : this.#stmt.scan.iterate(from, end);
      from = undefined;
      for (const row of rows) {
        this.#stats.listRowsRead++;
        const key = row.key as Uint8Array;
        const slash = key.indexOf(0x2f, start.length);
        if (slash === -1) {
          out.push(decode(key.subarray(start.length)));
          continue;
        }
        out.push(decode(key.subarray(start.length, slash + 1)));
        // Seek past the folder's subtree: the first key after `prefix + name + '/…'` is at or
        // after `prefix + name + '0'`. Leaving the loop resets the statement.
        from = Buffer.concat([key.subarray(0, slash), Buffer.from('0')]);
        break;
      }
    }
    return out.sort();
  }

  /** Commits what is queued, then closes the database. Closing twice is fine. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      // Everything queued before close() is still committed.
      while (this.#inFlight || this.#queue.length > 0) {
        const idle = new Promise<void>((resolve) => {
          this.#onIdle = resolve;
        });
        this.#send();
        await idle;
      }
      if (!this.#broken) {
        this.#writer.ref();
        const closed = new Promise<void>((resolve) => {
          const onMessage = (reply: WriterReply) => {
            if ('closed' in reply) {
              this.#writer.off('message', onMessage);
              resolve();
            }
          };
          this.#writer.on('message', onMessage);
          this.#writer.once('exit', () => resolve());
        });
        this.#writer.postMessage({ close: true } satisfies WriterMessage);
        await closed;
      }
      await this.#writer.terminate();
      this.#db.close();
    })();
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`sqlite storage: ${this.path} is closed`);
  }

  #enqueue(writes: Write[]): Promise<void> {
    this.#assertOpen();
    if (this.#broken) return Promise.reject(this.#writeError(this.#broken));
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#queue.push({ writes, resolve, reject });
    if (!this.#sendScheduled && !this.#inFlight) {
      this.#sendScheduled = true;
      // setImmediate (not a microtask) so writes made by other callbacks in this turn of the event
      // loop (e.g. other requests' handlers) join the same transaction.
      setImmediate(() => {
        this.#sendScheduled = false;
        this.#send();
      });
    }
    return promise;
  }

  /** Hands every queued write to the writer thread as one transaction (one group at a time). */
  #send(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const group = this.#queue;
    this.#queue = [];
    if (this.#broken) {
      for (const q of group) q.reject(this.#writeError(this.#broken));
      this.#idle();
      return;
    }
    const msg: CommitMessage = { id: this.#nextId++, keys: [], values: [] };
    for (const q of group) {
      for (const w of q.writes) {
        msg.keys.push(w.key);
        msg.values.push(w.value ?? null);
      }
    }
    if (msg.keys.length === 0) {
      for (const q of group) q.resolve();
      this.#idle();
      return;
    }
    this.#inFlight = { id: msg.id, group, count: msg.keys.length };
    this.#writer.ref();
    this.#writer.postMessage(msg);
  }

  #onReply(reply: WriterReply): void {
    const done = this.#inFlight;
    if (!done || 'closed' in reply || reply.id !== done.id) return;
    this.#inFlight = undefined;
    this.#writer.unref();
    if (reply.error === undefined) {
      this.#stats.commits++;
      this.#stats.writes += done.count;
      for (const q of done.group) q.resolve();
    } else {
      const error = this.#writeError(new Error(reply.error));
      for (const q of done.group) q.reject(error);
    }
    // Writes that queued up meanwhile form the next group at once.
    if (this.#queue.length > 0) this.#send();
    else this.#idle();
  }

  #fail(err: Error): void {
    this.#broken ??= err;
    const done = this.#inFlight;
    this.#inFlight = undefined;
    const group = [...(done?.group ?? []), ...this.#queue];
    this.#queue = [];
    for (const q of group) q.reject(this.#writeError(err));
    this.#idle();
  }

  #idle(): void {
    const cb = this.#onIdle;
    this.#onIdle = undefined;
    cb?.();
  }

  #writeError(err: Error): Error {
    return new Error(`sqlite storage: write to ${this.path} failed: ${err.message}`, { cause: err });
  }
}

function migrate(db: DatabaseSync): void {
  const version = Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
  if (version > SCHEMA_VERSION) {
    throw new Error(`schema version ${version} is newer than this Coffer supports (${SCHEMA_VERSION})`);
  }
  if (version === SCHEMA_VERSION) return;
  db.exec(`BEGIN IMMEDIATE;
    CREATE TABLE IF NOT EXISTS entries (key BLOB NOT NULL PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
    PRAGMA user_version = ${SCHEMA_VERSION};
    COMMIT;`);
}

function encodeKey(key: string): Buffer {
  if (typeof key !== 'string') throw new TypeError('sqlite storage: key must be a string');
  if (!key.isWellFormed()) throw new Error('sqlite storage: key is not well-formed UTF-16 (lone surrogate)');
  return Buffer.from(key, 'utf8');
}

function copyValue(value: Buffer): Buffer {
  if (!(value instanceof Uint8Array)) throw new TypeError('sqlite storage: value must be a Buffer');
  return Buffer.from(value);
}

function decode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
