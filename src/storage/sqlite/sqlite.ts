import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { Storage, StorageOp } from '../storage.ts';
import { CHECKPOINTER_SOURCE, type CheckpointerData, type CheckpointResult } from './checkpointer.ts';
import { type FileLock, lockDatabaseFile } from './lock.ts';

/**
 * The embedded default backend: one SQLite file (node:sqlite) in WAL mode; a write is on disk
 * (its WAL frames fdatasync'ed) before its promise resolves.
 *
 * Schema, version 2 (kept in PRAGMA user_version):
 *
 *   CREATE TABLE entries (
 *     key   BLOB NOT NULL PRIMARY KEY,  -- the storage key as UTF-8 bytes
 *     value BLOB NOT NULL               -- opaque bytes (ciphertext, above the barrier)
 *   );
 *
 * Version 1 was the same table WITHOUT ROWID. Its rows (a value is ~1-2 KB of ciphertext) filled
 * the primary-key b-tree itself, so every write moved large rows between pages: a KV write cost
 * about 2.5× the CPU it costs with a rowid table and a separate key index (measured in bench/).
 * Opening a version 1 file copies it to version 2 in one transaction.
 *
 * Keys are BLOBs so SQLite compares them bytewise: UTF-8 byte order is code point order, and the
 * subtree of a folder `p/x/` is exactly the key range [`p/x/`, `p/x0`) ('0' follows '/'). list()
 * walks the primary key index from the prefix and seeks past each child folder's subtree, so it
 * reads O(children) rows however many descendants there are; it then sorts its result by UTF-16
 * code unit, the order the Storage contract asks for. Keys must be well-formed UTF-16 (a lone
 * surrogate has no UTF-8 form and would collide with U+FFFD); others are refused.
 *
 * Group commit: put, delete and batch calls are queued and, on the next turn of the event loop,
 * committed together in one transaction, or all rejected if it fails. The commit itself only
 * writes the WAL (synchronous=NORMAL: SQLite does not sync at commit, so the event loop does not
 * wait for the disk; but see the WAL header below); the WAL file is then fdatasync'ed on libuv's
 * pool, and the writes' promises resolve once the sync that started after their commit has
 * finished. One sync covers every group committed before it started, so while the disk is busy,
 * groups pile up behind one sync. A failed fdatasync leaves the storage unusable (every later
 * call fails): what the disk holds is no longer known.
 *
 * Checkpoints run off the event loop. SQLite's automatic checkpoint runs inside a commit: it
 * copies pages into the database file and fsyncs both files while the event loop waits. So the
 * main connection turns it off (wal_autocheckpoint = 0), and a worker thread (checkpointer.ts)
 * with its own connection runs PASSIVE checkpoints, one at a time: after about 1000 pages of WAL
 * (SQLite's default) since the last one, and every second if anything was written, so an idle
 * server's WAL is folded in too. Pages are estimated as one per write plus the bytes written over
 * the page size (a write dirties a table and an index leaf, shared by writes to nearby keys;
 * large values fill overflow pages). SQLite syncs the WAL before each checkpoint, and the
 * database before the WAL can be restarted over the frames copied into it (NORMAL's rule), so
 * frames it copies or overwrites are always durable ones. The first write after a checkpoint
 * that copied every frame restarts the WAL from its start, in the same file (the storage's WAL
 * descriptor stays valid); SQLite then syncs the new WAL header, on the event loop (one small
 * fsync per WAL cycle, as before). A PASSIVE checkpoint never blocks the writer, so under
 * sustained writes commits land during every checkpoint and the WAL may never restart: once it
 * holds over 64 MiB, the main connection itself checkpoints the frames the worker has not yet
 * copied, on the event loop. That is rare (once per 64 MiB of WAL) and short (a few ms: the
 * worker syncs the database after each checkpoint, so only those last frames are left to copy
 * and sync). If the worker fails, the main connection goes back to SQLite's automatic
 * checkpoints. close() stops the worker first, so that the main connection closes last: SQLite
 * then checkpoints the whole WAL and removes it.
 *
 * One Coffer process per database file (lock.ts): open() first takes an exclusive lock on
 * `<path>.lock`, a small SQLite file beside the database, and holds it until close(), which
 * releases it after the main connection has closed (the lock file stays). A second open of the
 * same file, by another process or in this one, fails at once: "<path> is in use by another
 * Coffer process (lock file <path>.lock)". The kernel drops the lock when the process ends,
 * `kill -9` included. The lock does not keep out other programs (the sqlite3 shell, a backup
 * script): they must not write the file while Coffer runs. Nothing else in src/ opens the file
 * (the CLI talks to a server over HTTP only).
 *
 * A committed write is visible in SQLite before it is durable. So that nobody reads what a crash
 * could still take back, get() of a key whose write awaits its sync, and list() of a folder
 * holding one, wait for that sync. node:sqlite is synchronous; other reads go straight to the
 * database.
 */
const SCHEMA_VERSION = 2;
const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** WAL pages written (estimated) after which the worker checkpoints; SQLite's default autocheckpoint. */
const CHECKPOINT_PAGES = 1000;
/** How often the worker checkpoints a WAL written to since its last checkpoint. */
const CHECKPOINT_INTERVAL_MS = 1000;
/** A WAL frame's header, before its page. */
const WAL_FRAME_HEADER = 24;

export type SqliteStorageOptions = {
  /** The database file; missing parent folders are created (mode 0700), a new file gets mode 0600. */
  path: string;
  /** How long a write waits for a lock held by another connection before failing (default 5000). */
  busyTimeoutMs?: number;
  /** WAL size above which the main connection checkpoints itself (default 64 MiB); for tests. */
  walLimitBytes?: number;
  /** Told what went wrong in the background (the checkpoint worker failed); the server logs it. */
  warn?: (message: string, fields: Record<string, unknown>) => void;
};

/** Counters for tests and metrics. */
export type SqliteStorageStats = {
  /** Write transactions committed (one per group of queued writes). */
  commits: number;
  /** Put and delete operations committed. */
  writes: number;
  /** fdatasyncs of the WAL (one covers every group committed before it started). */
  syncs: number;
  /** Index rows list() has read, to check it does not scan descendants. */
  listRowsRead: number;
  /** Checkpoints the worker ran. */
  checkpoints: number;
  /** Checkpoints the main connection ran because the WAL outgrew its limit. */
  walLimitCheckpoints: number;
  /**
   * True once the checkpoint worker has failed: the main connection then checkpoints inside
   * commits again (wal_autocheckpoint), as SQLite does by default.
   */
  checkpointerFailed: boolean;
};

type Write = { name: string; key: Buffer; value: Buffer | undefined };
type Waiter = { resolve: () => void; reject: (err: Error) => void };
type Queued = Waiter & { writes: Write[] };
/**
 * One fdatasync of the WAL and what waits for it: the callers' callbacks, not their writes. The
 * keys and values copied for the commit are garbage once it ran; held across the fdatasync they
 * would outlive two scavenges and be promoted, and their memory (malloc'd, outside V8's heap)
 * would come back only at the next major GC.
 */
type Sync = { groups: Waiter[]; done: Promise<void>; settle: (err?: Error) => void };

export class SqliteStorage implements Storage {
  readonly path: string;
  readonly #db: DatabaseSync;
  /** Held from open() to close(): no other Coffer process (or storage of this one) opens the file. */
  readonly #lock: FileLock;
  readonly #stmt: Record<
    'get' | 'put' | 'delete' | 'begin' | 'commit' | 'rollback' | 'scan' | 'scanToEnd' | 'checkpoint',
    StatementSync
  >;
  readonly #stats: SqliteStorageStats = {
    commits: 0,
    writes: 0,
    syncs: 0,
    listRowsRead: 0,
    checkpoints: 0,
    walLimitCheckpoints: 0,
    checkpointerFailed: false,
  };
  #queue: Queued[] = [];
  #flushScheduled = false;
  #closed = false;
  /** The WAL file, opened after the first commit (SQLite creates it then). */
  #walFd: number | undefined;
  /** Committed groups waiting for the next sync (which starts when the current one ends). */
  #next: Sync | undefined;
  #syncing: Sync | undefined;
  /** Keys committed but not yet durable → the sync that will make them so. */
  readonly #unsynced = new Map<string, Sync>();
  /** Set when an fdatasync failed: every later call fails with it. */
  #broken: Error | undefined;
  readonly #pageSize: number;
  readonly #walLimitBytes: number;
  readonly #busyTimeoutMs: number;
  /** The checkpoint worker, started by the first checkpoint request. */
  #checkpointer: Worker | undefined;
  /**
   * A descriptor of the database file the worker fdatasyncs after each checkpoint. Owned here, not
   * by the worker, and closed only after the main connection: closing any descriptor of a file
   * drops every POSIX lock this process holds on it, SQLite's included.
   */
  #checkpointFd: number | undefined;
  readonly #checkpointTimer: NodeJS.Timeout;
  /** WAL pages written (estimated) since the last checkpoint request. */
  #walPages = 0;
  /** A checkpoint request awaits the worker's reply (at most one is outstanding). */
  #checkpointing = false;
  readonly #warn: SqliteStorageOptions['warn'];

  private constructor(path: string, db: DatabaseSync, lock: FileLock, opts: SqliteStorageOptions) {
    this.path = path;
    this.#db = db;
    this.#lock = lock;
    this.#stmt = {
      get: db.prepare('SELECT value FROM entries WHERE key = ?'),
      put: db.prepare(
        'INSERT INTO entries (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      delete: db.prepare('DELETE FROM entries WHERE key = ?'),
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      scan: db.prepare('SELECT key FROM entries WHERE key >= ? AND key < ? ORDER BY key'),
      scanToEnd: db.prepare('SELECT key FROM entries WHERE key >= ? ORDER BY key'),
      checkpoint: db.prepare('PRAGMA wal_checkpoint(PASSIVE)'),
    };
    this.#pageSize = Number(db.prepare('PRAGMA page_size').get()?.page_size);
    this.#walLimitBytes = opts.walLimitBytes ?? 64 * 1024 * 1024;
    this.#busyTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    this.#warn = opts.warn;
    this.#checkpointTimer = setInterval(() => {
      if (this.#walPages > 0) this.#requestCheckpoint();
    }, CHECKPOINT_INTERVAL_MS).unref();
  }

  /**
   * Opens (creating if needed) the database at `opts.path`, after taking its lock (see the top of
   * this file): fails if another Coffer process, or another storage in this one, has it open.
   * Errors name the path.
   */
  static open(opts: SqliteStorageOptions): SqliteStorage {
    if (typeof opts.path !== 'string' || opts.path === '') {
      throw new Error('sqlite storage: path must be a non-empty string');
    }
    const path = resolve(opts.path);
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Refused before the lock file would be created beside it, e.g. /var/lib/coffer.lock.
      if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new Error('it is a directory');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`sqlite storage: cannot open ${path}: ${reason}`, { cause: err });
    }
    // Before anything touches the database file: a storage of this process that has it open
    // would lose its locks on it when a descriptor of it is closed (POSIX locks are per process).
    const lock = lockDatabaseFile(path);
    let db: DatabaseSync | undefined;
    try {
      // Create the file ourselves so it gets mode 0600; SQLite gives its -wal and -shm files the
      // same mode as the database file.
      closeSync(openSync(path, 'a', 0o600));
      db = new DatabaseSync(path, { timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
      const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
      if (mode !== 'wal') throw new Error(`could not enable WAL mode (journal_mode is ${String(mode)})`);
      // NORMAL: SQLite does not sync at commit (the storage fdatasyncs the WAL itself, off the
      // event loop, before any write is acknowledged) but does at checkpoints.
      db.exec('PRAGMA synchronous = NORMAL');
      // No checkpoint inside commits: the worker runs them (see the top of this file).
      db.exec('PRAGMA wal_autocheckpoint = 0');
      migrate(db);
      return new SqliteStorage(path, db, lock, opts);
    } catch (err) {
      if (db?.isOpen) db.close();
      lock.release();
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
    const pending = this.#unsynced.get(key);
    if (pending) await pending.done;
    this.#assertOpen();
    const row = this.#stmt.get.get(encodeKey(key));
    if (row === undefined) return undefined;
    const v = row.value as Uint8Array;
    // node:sqlite hands out a fresh copy of the blob, so the Buffer can share its memory.
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }

  async put(key: string, value: Buffer): Promise<void> {
    return this.#enqueue([{ name: key, key: encodeKey(key), value: copyValue(value) }]);
  }

  async delete(key: string): Promise<void> {
    return this.#enqueue([{ name: key, key: encodeKey(key), value: undefined }]);
  }

  async batch(ops: StorageOp[]): Promise<void> {
    const writes = ops.map((o): Write => {
      if (o.op === 'put') return { name: o.key, key: encodeKey(o.key), value: copyValue(o.value) };
      if (o.op === 'delete') return { name: o.key, key: encodeKey(o.key), value: undefined };
      throw new TypeError(`sqlite storage: unknown batch op ${JSON.stringify((o as { op: unknown }).op)}`);
    });
    return this.#enqueue(writes);
  }

  async list(prefix: string): Promise<string[]> {
    this.#assertOpen();
    for (const [key, sync] of this.#unsynced) {
      if (key.startsWith(prefix)) await sync.done.catch(() => {});
    }
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

  /**
   * Commits what is queued and waits until it is durable, then closes the database and, last,
   * releases its lock. Closing twice is fine.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#flush();
      while (this.#syncing) await this.#syncing.done.catch(() => {});
      await this.#stopCheckpointer();
      this.#db.close();
      for (const fd of [this.#walFd, this.#checkpointFd]) if (fd !== undefined) closeSync(fd);
      this.#walFd = undefined;
      this.#checkpointFd = undefined;
    } finally {
      // Whatever failed above, this storage is closed and serves nothing more.
      this.#lock.release();
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`sqlite storage: ${this.path} is closed`);
    if (this.#broken) throw this.#broken;
  }

  #enqueue(writes: Write[]): Promise<void> {
    this.#assertOpen();
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#queue.push({ writes, resolve, reject });
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // setImmediate (not a microtask) so writes made by other callbacks in this turn of the event
      // loop (e.g. other requests' handlers) join the same transaction.
      setImmediate(() => this.#flush());
    }
    return promise;
  }

  /** Commits every queued write in one transaction and settles their promises. */
  #flush(): void {
    this.#flushScheduled = false;
    const group = this.#queue;
    this.#queue = [];
    if (group.length === 0) return;
    let count = 0;
    let bytes = 0;
    try {
      for (const q of group) {
        count += q.writes.length;
        for (const w of q.writes) bytes += w.key.length + (w.value?.length ?? 0);
      }
      if (count > 0) {
        this.#stmt.begin.run();
        for (const q of group) {
          for (const w of q.writes) {
            if (w.value === undefined) this.#stmt.delete.run(w.key);
            else this.#stmt.put.run(w.key, w.value);
          }
        }
        this.#stmt.commit.run();
      }
    } catch (err) {
      this.#rollback();
      const reason = err instanceof Error ? err.message : String(err);
      const error = new Error(`sqlite storage: write to ${this.path} failed: ${reason}`, { cause: err });
      for (const q of group) q.reject(error);
      return;
    }
    if (count === 0) {
      for (const q of group) q.resolve();
      return;
    }
    this.#stats.commits++;
    this.#stats.writes += count;
    // Durable once the next sync has run: it starts now, or when the one in flight ends.
    this.#next ??= newSync();
    for (const q of group) this.#next.groups.push({ resolve: q.resolve, reject: q.reject });
    for (const q of group) for (const w of q.writes) this.#unsynced.set(w.name, this.#next);
    this.#startSync();
    this.#walPages += count + Math.ceil(bytes / this.#pageSize);
    if (this.#walPages >= CHECKPOINT_PAGES) this.#requestCheckpoint();
  }

  /** Starts an fdatasync of the WAL for the committed groups waiting, unless one is in flight. */
  #startSync(): void {
    const sync = this.#next;
    if (this.#syncing || !sync) return;
    this.#next = undefined;
    this.#syncing = sync;
    let fd: number;
    try {
      fd = this.#wal();
    } catch (err) {
      this.#finishSync(sync, err);
      return;
    }
    fdatasync(fd, (err) => this.#finishSync(sync, err ?? undefined));
  }

  #finishSync(sync: Sync, err: unknown): void {
    this.#syncing = undefined;
    for (const [key, s] of this.#unsynced) if (s === sync) this.#unsynced.delete(key);
    if (err !== undefined) {
      const reason = err instanceof Error ? err.message : String(err);
      this.#broken ??= new Error(
        `sqlite storage: ${this.path}: fdatasync of the WAL failed (${reason}); what the disk holds is unknown, restart Coffer`,
        { cause: err },
      );
      const failed = [sync, ...(this.#next ? [this.#next] : [])];
      this.#next = undefined;
      for (const s of failed) {
        for (const q of s.groups) q.reject(this.#broken);
        s.settle(this.#broken);
      }
      this.#unsynced.clear();
      return;
    }
    this.#stats.syncs++;
    for (const q of sync.groups) q.resolve();
    sync.settle();
    this.#startSync();
  }

  /** The WAL's file descriptor, opened once; the first time, the folder is synced too (new file). */
  #wal(): number {
    if (this.#walFd === undefined) {
      const fd = openSync(`${this.path}-wal`, 'r');
      const dir = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
      this.#walFd = fd;
    }
    return this.#walFd;
  }

  #requestCheckpoint(): void {
    if (this.#checkpointing || this.#closed || this.#stats.checkpointerFailed) return;
    try {
      this.#checkpointer ??= this.#startCheckpointer();
    } catch {
      this.#checkpointerFailed(undefined);
      return;
    }
    this.#checkpointing = true;
    this.#walPages = 0;
    this.#checkpointer.postMessage('checkpoint');
  }

  /** Started on demand, so that a storage opened and closed quickly (tests, tools) spawns no thread. */
  #startCheckpointer(): Worker {
    this.#checkpointFd ??= openSync(this.path, 'r');
    const workerData: CheckpointerData = {
      path: this.path,
      busyTimeoutMs: this.#busyTimeoutMs,
      dbFd: this.#checkpointFd,
    };
    const worker = new Worker(CHECKPOINTER_SOURCE, {
      eval: true,
      workerData,
      // It allocates next to nothing: a small heap keeps its RSS small (past it, the thread
      // ends and SQLite's automatic checkpoints take over).
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    worker.on('message', (result: CheckpointResult) => this.#checkpointed(result));
    worker.on('error', () => this.#checkpointerFailed(worker));
    worker.on('exit', () => this.#checkpointerFailed(worker));
    // A background helper: it never keeps the process alive (close() waits for it explicitly).
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    return worker;
  }

  #checkpointed(result: CheckpointResult): void {
    this.#checkpointing = false;
    this.#stats.checkpoints++;
    if (this.#closed || this.#broken) return;
    // The WAL outgrew its limit: it has not restarted for many checkpoints, because commits kept
    // landing during them. Copy the frames the worker has not (those committed while it ran) here,
    // with no commit in between, so the next write restarts the WAL. This blocks the event loop
    // (a WAL and a database fsync, a few ms), but rarely: once per limit's worth of WAL.
    if (result.log * (this.#pageSize + WAL_FRAME_HEADER) < this.#walLimitBytes) return;
    try {
      this.#stmt.checkpoint.get();
      this.#stats.walLimitCheckpoints++;
    } catch {
      // Acknowledged writes are still in the WAL; the next checkpoint tries again.
    }
  }

  /** The worker stopped unexpectedly, or could not start: SQLite's automatic checkpoints take over again. */
  #checkpointerFailed(worker: Worker | undefined): void {
    if (this.#checkpointer !== worker || this.#stats.checkpointerFailed) return;
    this.#checkpointer = undefined;
    this.#checkpointing = false;
    clearInterval(this.#checkpointTimer);
    this.#stats.checkpointerFailed = true;
    if (!this.#closed) {
      this.#db.exec(`PRAGMA wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
      this.#warn?.(
        'sqlite storage: the checkpoint worker stopped; commits checkpoint the WAL themselves from now on (slower writes, no data at risk)',
        { path: this.path },
      );
    }
  }

  /**
   * Stops the worker, which closes its connection, so that the main connection is the last to
   * close: SQLite then checkpoints the whole WAL and removes it.
   */
  async #stopCheckpointer(): Promise<void> {
    clearInterval(this.#checkpointTimer);
    const worker = this.#checkpointer;
    if (worker === undefined) return;
    this.#checkpointer = undefined;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    // Keeps the process alive until the worker has closed its connection.
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  #rollback(): void {
    try {
      if (this.#db.isTransaction) this.#stmt.rollback.run();
    } catch {
      // SQLite may already have rolled back (e.g. after an I/O error); nothing more to undo.
    }
  }
}

function newSync(): Sync {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  // Readers waiting on it catch the failure themselves; nobody else has to.
  promise.catch(() => {});
  return { groups: [], done: promise, settle: (err) => (err ? reject(err) : resolve()) };
}

function migrate(db: DatabaseSync): void {
  const version = Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
  if (version > SCHEMA_VERSION) {
    throw new Error(`schema version ${version} is newer than this Coffer supports (${SCHEMA_VERSION})`);
  }
  if (version === SCHEMA_VERSION) return;
  // One transaction: a crash leaves the old version whole, and the next open migrates again.
  db.exec('BEGIN IMMEDIATE');
  try {
    if (version === 0) {
      db.exec('CREATE TABLE IF NOT EXISTS entries (key BLOB NOT NULL PRIMARY KEY, value BLOB NOT NULL)');
    } else {
      db.exec(`CREATE TABLE entries_v2 (key BLOB NOT NULL PRIMARY KEY, value BLOB NOT NULL);
        INSERT INTO entries_v2 (key, value) SELECT key, value FROM entries ORDER BY key;
        DROP TABLE entries;
        ALTER TABLE entries_v2 RENAME TO entries;`);
    }
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
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
