/**
 * The sqlite backend's writer: a worker thread with its own connection that commits each group of
 * writes in one transaction. The commit's fsync blocks this thread, not the event loop, so the
 * server keeps answering (and reading, on the main connection) while a group is made durable.
 *
 * Protocol (from ./sqlite.ts): `{ id, keys, values }` → `{ id, error? }` once the transaction has
 * committed (synchronous=FULL: durable) or rolled back; `{ close: true }` → `{ closed: true }`.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

export interface WriterData {
  path: string;
  busyTimeoutMs: number;
}
export interface CommitMessage {
  id: number;
  keys: Uint8Array[];
  /** null deletes the key. */
  values: (Uint8Array | null)[];
}
export type WriterMessage = CommitMessage | { close: true };
export type WriterReply = { id: number; error?: string } | { closed: true };

const port = parentPort;
if (port) {
  const { path, busyTimeoutMs } = workerData as WriterData;
  const db = new DatabaseSync(path, { timeout: busyTimeoutMs });
  // Per connection: every commit of this one is fsync'ed (macOS: F_FULLFSYNC).
  db.exec('PRAGMA synchronous = FULL; PRAGMA fullfsync = ON');
  const stmt = {
    put: db.prepare(
      'INSERT INTO entries (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    delete: db.prepare('DELETE FROM entries WHERE key = ?'),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  };

  port.on('message', (msg: WriterMessage) => {
    if ('close' in msg) {
      db.close();
      port.postMessage({ closed: true } satisfies WriterReply);
      return;
    }
    try {
      stmt.begin.run();
      for (let i = 0; i < msg.keys.length; i++) {
        const value = msg.values[i];
        if (value === null || value === undefined) stmt.delete.run(msg.keys[i]!);
        else stmt.put.run(msg.keys[i]!, value);
      }
      stmt.commit.run();
      port.postMessage({ id: msg.id } satisfies WriterReply);
    } catch (err) {
      try {
        if (db.isTransaction) stmt.rollback.run();
      } catch {
        // SQLite may already have rolled back (e.g. after an I/O error).
      }
      port.postMessage({
        id: msg.id,
        error: err instanceof Error ? err.message : String(err),
      } satisfies WriterReply);
    }
  });
}
