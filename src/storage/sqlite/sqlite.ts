import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Storage, StorageOp } from '../storage.ts';

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
 * writes the WAL (synchronous=NORMAL: no fsync inside SQLite, so the event loop never waits for
 * the disk); the WAL file is then fdatasync'ed on libuv's pool, and the writes' promises resolve
 * once the sync that started after their commit has finished. One sync covers every group
 * committed before it started, so while the disk is busy, groups pile up behind one sync.
 * SQLite still syncs the WAL before, and the database after, each checkpoint (NORMAL's rule),
 * so frames it copies or overwrites are always durable ones. A failed fdatasync leaves the
 * storage unusable (every later call fails): what the disk holds is no longer known.
 *
 * A committed write is visible in SQLite before it is durable. So that nobody reads what a crash
 * could still take back, get() of a key whose write awaits its sync, and list() of a folder
 * holding one, wait for that sync. node:sqlite is synchronous; other reads go straight to the
 * database.
 */
const SCHEMA_VERSION = 2;

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
  /** fdatasyncs of the WAL (one covers every group committed before it started). */
  syncs: number;
  /** Index rows list() has read, to check it does not scan descendants. */
  listRowsRead: number;
};

type Write = { name: string; key: Buffer; value: Buffer | undefined };
type Queued = { writes: Write[]; resolve: () => void; reject: (err: Error) => void };
/** One fdatasync of the WAL and what waits for it. */
type Sync = { groups: Queued[]; done: Promise<void>; settle: (err?: Error) => void };

export class SqliteStorage implements Storage {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #stmt: Record<
    'get' | 'put' | 'delete' | 'begin' | 'commit' | 'rollback' | 'scan' | 'scanToEnd',
    StatementSync
  >;
  readonly #stats: SqliteStorageStats = { commits: 0, writes: 0, syncs: 0, listRowsRead: 0 };
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

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
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
    };
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
      // NORMAL: SQLite does not sync at commit (the storage fdatasyncs the WAL itself, off the
      // event loop, before any write is acknowledged) but does at checkpoints.
      db.exec('PRAGMA synchronous = NORMAL');
      migrate(db);
      return new SqliteStorage(path, db);
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

  /** Commits what is queued and waits until it is durable, then closes the database. Closing twice is fine. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#flush();
    while (this.#syncing) await this.#syncing.done.catch(() => {});
    this.#db.close();
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
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
    try {
      for (const q of group) count += q.writes.length;
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
    this.#next.groups.push(...group);
    for (const q of group) for (const w of q.writes) this.#unsynced.set(w.name, this.#next);
    this.#startSync();
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
