import { closeSync, openSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * One Coffer process per database file. Each SqliteStorage keeps state the file does not tell
 * others about (the barrier's read cache, token caches, the group-commit queue): a second process
 * writing the same file would leave the first one serving stale values and undoing revocations.
 *
 * The lock is a second, empty SQLite database beside the database, `<path>.lock` (mode 0600),
 * whose connection holds an exclusive write transaction for as long as the storage is open
 * (locking_mode = EXCLUSIVE, BEGIN EXCLUSIVE, never committed). Node has no flock(); SQLite's
 * locks are POSIX advisory locks (fcntl), which the kernel drops when the process ends however it
 * ends, kill -9 included: there is never a stale lock to clean up by hand. The connection's busy
 * timeout is 0, so a second opener fails at once (SQLITE_BUSY) instead of waiting.
 *
 * Why not lock the database file itself: the storage's checkpoint worker has its own connection
 * to it, and POSIX locks belong to the process, so an exclusive lock there would lock the worker
 * out too. A separate file is locked by one connection only.
 *
 * Within one process POSIX locks do not conflict, but SQLite keeps its own per-file lock table for
 * the whole process (every thread), so a second open in the same process is refused too, with the
 * same error. The other trap of POSIX locks, that closing ANY descriptor of a file drops the
 * process's locks on it, is why nothing here opens the lock file outside SQLite, except to create
 * it when it does not exist yet (O_EXCL: a file that did not exist holds no lock).
 *
 * The journal is kept in memory (journal_mode = MEMORY), so no `-journal` file appears beside the
 * lock file. The file stays when the lock is released: removing it would race with a process that
 * opened it just before (it would lock the removed file while a third process creates and locks a
 * new one). Do not remove it while Coffer runs, for the same reason.
 *
 * The lock file's name follows the database file's symlinks (SQLite names its -wal and -shm files
 * the same way), so two paths to one file share a lock. Hard links do not.
 */
export interface FileLock {
  /** The lock file. */
  readonly path: string;
  /** Releases the lock (closes its connection). Releasing twice is fine. */
  release(): void;
}

/** SQLite's SQLITE_BUSY, as node:sqlite reports it in `errcode`. */
const SQLITE_BUSY = 5;

/**
 * Takes the lock of the database file `dbPath` (an absolute path), or throws: "in use by another
 * Coffer process" if it is held, otherwise why it could not be taken. Both name the paths.
 */
export function lockDatabaseFile(dbPath: string): FileLock {
  let path = `${dbPath}.lock`;
  let db: DatabaseSync | undefined;
  try {
    path = `${resolveSymlinks(dbPath)}.lock`;
    try {
      closeSync(openSync(path, 'wx', 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    db = new DatabaseSync(path, { timeout: 0 });
    db.exec('PRAGMA journal_mode = MEMORY');
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    if (db?.isOpen) db.close();
    if ((err as { errcode?: unknown }).errcode === SQLITE_BUSY) {
      throw new Error(`sqlite storage: ${dbPath} is in use by another Coffer process (lock file ${path})`, {
        cause: err,
      });
    }
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`sqlite storage: cannot lock ${dbPath} (lock file ${path}): ${reason}`, { cause: err });
  }
  const held = db;
  return {
    path,
    release() {
      // Closing the connection rolls back its (empty) transaction and unlocks the file.
      if (held.isOpen) held.close();
    },
  };
}

/** `path` with its symlinks resolved; for a file that does not exist yet, its folder's. */
function resolveSymlinks(path: string): string {
  try {
    return realpathSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return join(realpathSync(dirname(path)), basename(path));
  }
}
