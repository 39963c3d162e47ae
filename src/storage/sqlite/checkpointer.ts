/**
 * The SQLite storage's checkpointer, run in a worker thread by sqlite.ts: its own connection to
 * the database copies WAL frames into the database file when asked, so a checkpoint's page copies
 * and fsyncs never run on Coffer's event loop.
 *
 * Messages in: 'checkpoint' runs PRAGMA wal_checkpoint(PASSIVE) and replies a CheckpointResult;
 * 'close' closes the connection, after which the thread exits. Any error (e.g. an I/O error in a
 * checkpoint) is left uncaught: it ends the thread, and sqlite.ts falls back to SQLite's
 * automatic checkpoints.
 *
 * The worker runs the plain JavaScript below (`new Worker(CHECKPOINTER_SOURCE, { eval: true })`),
 * not a .ts module: a TypeScript module would load Node's type stripper (a WebAssembly module)
 * into the thread, ~25 MB of RSS for a loop of a dozen lines.
 */
export type CheckpointerData = {
  path: string;
  busyTimeoutMs: number;
  /**
   * A read descriptor of the database file, opened and closed by sqlite.ts after its own
   * connection has closed: the worker must not close it, since closing any descriptor of the file
   * drops the process's POSIX locks on it, the main connection's included.
   */
  dbFd: number;
};

/** PRAGMA wal_checkpoint's row. */
export type CheckpointResult = {
  /** 1 if the checkpoint could not run or finish (another checkpoint was running). */
  busy: number;
  /** Frames in the WAL when the checkpoint started. */
  log: number;
  /** Frames of the WAL now in the database file. */
  checkpointed: number;
};

export const CHECKPOINTER_SOURCE = `
'use strict';
const { fdatasyncSync } = require('node:fs');
const { DatabaseSync } = require('node:sqlite');
const { parentPort: port, workerData } = require('node:worker_threads');
if (port === null) throw new Error('sqlite checkpointer: must run in a worker thread');
const { path, busyTimeoutMs, dbFd } = workerData;
const db = new DatabaseSync(path, { timeout: busyTimeoutMs });
// NORMAL: a checkpoint syncs the WAL before copying frames (so it only copies durable ones), and
// the database before the WAL can be restarted over the frames it copied.
db.exec('PRAGMA synchronous = NORMAL');
// PASSIVE never waits for, nor blocks, the main connection's readers and writer.
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
// SQLite syncs the database only at a checkpoint that reaches the end of the WAL. Under sustained
// writes these rarely do (commits land while they run), and the pages they copy would pile up,
// unsynced, for the next complete checkpoint, perhaps the main connection's (sqlite.ts), whose
// fsync would then block the event loop for as long as it takes to write them all (~100 ms for
// 64 MiB measured). So each checkpoint syncs what it copied itself, through dbFd (see
// CheckpointerData: sqlite.ts owns it).
port.on('message', (msg) => {
  if (msg === 'checkpoint') {
    const row = checkpoint.get();
    fdatasyncSync(dbFd);
    port.postMessage({ busy: Number(row?.busy), log: Number(row?.log), checkpointed: Number(row?.checkpointed) });
  } else if (msg === 'close') {
    db.close();
    port.close();
  }
});
`;
