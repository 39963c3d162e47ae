import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SqliteStorage, type SqliteStorageOptions } from './sqlite.ts';
import { runUntilKilled, tempDir } from './test-helper.ts';

const MiB = 1024 * 1024;

/**
 * Opens a storage and also hands out its private main connection (the DatabaseSync that open()
 * turns automatic checkpoints off on; the lock file's connection comes first), so a test can read
 * that connection's settings.
 */
function openWithConnection(opts: SqliteStorageOptions): { s: SqliteStorage; main: DatabaseSync } {
  const exec = DatabaseSync.prototype.exec;
  let main: DatabaseSync | undefined;
  DatabaseSync.prototype.exec = function (this: DatabaseSync, sql: string) {
    if (sql.startsWith('PRAGMA wal_autocheckpoint')) main ??= this;
    return exec.call(this, sql);
  };
  try {
    const s = SqliteStorage.open(opts);
    return { s, main: main! };
  } finally {
    DatabaseSync.prototype.exec = exec;
  }
}

/** Records the workers that are posted messages from now on (the storage keeps its worker private). */
function captureWorkers(): { workers: Worker[]; restore: () => void } {
  const post = Worker.prototype.postMessage;
  const workers: Worker[] = [];
  Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
    if (!workers.includes(this)) workers.push(this);
    return post.apply(this, args);
  };
  return { workers, restore: () => (Worker.prototype.postMessage = post) };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function walSize(path: string): number {
  return existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
}

function valueFor(key: string, size = 200): Buffer {
  return Buffer.alloc(size, key);
}

/** Writes `total` keys in awaited groups (each a commit), in random order; returns the largest WAL seen. */
async function writeGroups(s: SqliteStorage, path: string, total: number, group: number): Promise<number> {
  const keys = Array.from({ length: total }, (_, i) => `k/${i}`);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  let maxWal = 0;
  for (let i = 0; i < keys.length; i += group) {
    await Promise.all(keys.slice(i, i + group).map((k) => s.put(k, valueFor(k))));
    maxWal = Math.max(maxWal, walSize(path));
  }
  return maxWal;
}

async function assertAllThere(path: string, total: number): Promise<void> {
  const s = SqliteStorage.open({ path });
  for (let i = 0; i < total; i++) {
    assert.deepEqual(await s.get(`k/${i}`), valueFor(`k/${i}`), `k/${i}`);
  }
  assert.equal((await s.list('k/')).length, total);
  await s.close();
}

describe('SqliteStorage checkpoints', () => {
  it('checkpoints in the worker, never in commits, and keeps the WAL bounded; close removes the WAL', async () => {
    const path = join(tempDir('coffer-ckpt-'), 'coffer.db');
    const { s, main } = openWithConnection({ path, walLimitBytes: 4 * MiB });
    assert.equal(main.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint, 0);
    // 20,000 random keys in commits of 100: about 100 WAL pages each, ~80 MiB of WAL unchecked.
    const maxWal = await writeGroups(s, path, 20_000, 100);
    const stats = s.stats;
    assert.ok(stats.checkpoints >= 5, `${stats.checkpoints} checkpoints`);
    assert.equal(stats.checkpointerFailed, false);
    // The limit, plus what is written while a checkpoint runs and before the next is asked for.
    assert.ok(maxWal <= 16 * MiB, `the WAL reached ${(maxWal / MiB).toFixed(1)} MiB`);
    assert.equal(main.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint, 0);
    await s.close();
    assert.equal(walSize(path), 0, 'close leaves no WAL');
    await assertAllThere(path, 20_000);
  });

  it('over the WAL limit, the main connection checkpoints the rest itself', async () => {
    const path = join(tempDir('coffer-ckpt-'), 'coffer.db');
    // Any WAL is over a 1-byte limit: every reply of the worker is followed by a main checkpoint.
    const s = SqliteStorage.open({ path, walLimitBytes: 1 });
    await writeGroups(s, path, 3000, 100);
    await waitFor('a checkpoint', () => s.stats.checkpoints >= 1);
    assert.ok(s.stats.walLimitCheckpoints >= 1, JSON.stringify(s.stats));
    await s.close();
    await assertAllThere(path, 3000);
  });

  it('checkpoints a WAL written to within a second, without 1000 pages of writes', async () => {
    const path = join(tempDir('coffer-ckpt-'), 'coffer.db');
    const s = SqliteStorage.open({ path });
    await s.put('k/0', valueFor('k/0'));
    assert.equal(s.stats.checkpoints, 0);
    await waitFor('the timer checkpoint', () => s.stats.checkpoints === 1, 3000);
    // Nothing written since: no more checkpoints.
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(s.stats.checkpoints, 1);
    await s.close();
    await assertAllThere(path, 1);
  });

  it('falls back to automatic checkpoints when the worker dies, and keeps working', async () => {
    const path = join(tempDir('coffer-ckpt-'), 'coffer.db');
    const capture = captureWorkers();
    let opened: ReturnType<typeof openWithConnection>;
    const warnings: string[] = [];
    try {
      opened = openWithConnection({ path, warn: (message) => warnings.push(message) });
      // One commit of ~1000 pages asks the worker for a checkpoint, which starts it.
      await writeGroups(opened.s, path, 1000, 1000);
    } finally {
      capture.restore();
    }
    const { s, main } = opened;
    assert.equal(capture.workers.length, 1);
    await waitFor('the first checkpoint', () => s.stats.checkpoints >= 1);
    await capture.workers[0]!.terminate();
    await waitFor('the fallback', () => s.stats.checkpointerFailed);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /checkpoint worker stopped/);
    assert.equal(main.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint, 1000);
    const checkpoints = s.stats.checkpoints;
    // SQLite checkpoints inside commits again: ~80 MiB of WAL written, the file stays small.
    const maxWal = await writeGroups(s, path, 20_000, 100);
    assert.ok(maxWal <= 8 * MiB, `the WAL reached ${(maxWal / MiB).toFixed(1)} MiB`);
    assert.equal(s.stats.checkpoints, checkpoints);
    assert.deepEqual(await s.get('k/19999'), valueFor('k/19999'));
    await s.close();
    await assertAllThere(path, 20_000);
  });

  it("holds SQLite's lock on the database until the main connection closes, and leaves no descriptor open", async () => {
    const path = join(tempDir(), 'locks.db');
    const fds = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false; // the descriptor readdir itself used, gone by now
        }
      }).length;
    const before = fds();
    const { workers, restore } = captureWorkers();
    try {
      const s = SqliteStorage.open({ path });
      await s.put('a', valueFor('a'));
      await waitFor('a checkpoint', () => s.stats.checkpoints > 0);
      const inode = statSync(path).ino;
      // This process's POSIX locks on the database file (SQLite's shared lock while it is open).
      const locks = () =>
        readFileSync('/proc/locks', 'utf8')
          .split('\n')
          .filter((l) => l.includes(` ${process.pid} `) && l.includes(`:${inode} `));
      assert.ok(locks().length > 0, 'an open storage holds a lock on its database');
      // The worker exits before the main connection closes: a descriptor it closed then would
      // drop every lock of this process on the file, while SQLite still counts on them.
      let atWorkerExit: string[] | undefined;
      assert.equal(workers.length, 1);
      workers[0]!.once('exit', () => (atWorkerExit = locks()));
      await s.close();
      assert.ok(
        atWorkerExit && atWorkerExit.length > 0,
        'the lock was still held when the worker had exited',
      );
      assert.deepEqual(locks(), [], 'close released it');
      assert.equal(fds(), before, 'no descriptor of the database is left open');
    } finally {
      restore();
    }
  });

  it('never keeps the process alive, and close() completes in a process with nothing else to do', async () => {
    const dir = tempDir('coffer-ckpt-');
    const script = join(dir, 'idle.mts');
    writeFileSync(
      script,
      `import { SqliteStorage } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'sqlite.ts')).href)};
const s = SqliteStorage.open({ path: process.argv[2] });
await s.batch(Array.from({ length: 2000 }, (_, i) => ({ op: 'put', key: 'k/' + i, value: Buffer.alloc(200) })));
while (s.stats.checkpoints === 0) await new Promise((r) => setTimeout(r, 10));
if (process.argv[3] === 'close') await s.close();
process.stdout.write('done');
`,
    );
    for (const mode of ['close', 'leave open']) {
      const path = join(dir, `${mode}.db`);
      const child = spawn(process.execPath, [script, path, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await new Promise((res) => child.on('close', res));
      clearTimeout(timer);
      assert.equal(code, 0, `${mode}: ${out}`);
      assert.equal(out, 'done', mode);
      if (mode === 'close') assert.equal(walSize(path), 0, 'close leaves no WAL');
    }
  });

  it('keeps every acknowledged write when killed (SIGKILL) while checkpoints run', async () => {
    const dir = tempDir('coffer-ckpt-');
    const path = join(dir, 'coffer.db');
    const script = join(dir, 'writer.mts');
    // A small WAL limit, so the main connection's checkpoints (and WAL restarts) happen too.
    writeFileSync(
      script,
      `import { SqliteStorage } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'sqlite.ts')).href)};
const s = SqliteStorage.open({ path: process.argv[2], walLimitBytes: 2 * 1024 * 1024 });
const round = process.argv[3];
async function writer(w: number): Promise<void> {
  for (let i = 0; ; i++) {
    const key = \`r\${round}/w\${w}/\${i}\`;
    await s.put(key, Buffer.alloc(1500, key));
    process.stdout.write(key + '\\n');
  }
}
for (let w = 0; w < 16; w++) writer(w);
setInterval(() => process.stderr.write(JSON.stringify(s.stats) + '\\n'), 50);
`,
    );
    const acknowledged: string[] = [];
    let stats = '';
    for (let round = 0; round < 3; round++) {
      const killAfter = 3000 + Math.floor(Math.random() * 3000);
      const run = await runUntilKilled(script, [path, String(round)], killAfter);
      acknowledged.push(...run.acknowledged);
      stats += run.stderr;
    }
    // Some round ran checkpoints before its kill (each round is a new process with its own
    // counters; on a loaded machine one round may be killed before its worker has started).
    const checkpoints = stats
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{') && l.endsWith('}'))
      .map((l) => (JSON.parse(l) as { checkpoints: number }).checkpoints);
    assert.ok(
      Math.max(0, ...checkpoints) > 0,
      `the worker checkpointed: ${checkpoints.slice(-5).join(', ')}`,
    );
    const s = SqliteStorage.open({ path });
    for (const key of acknowledged) {
      assert.deepEqual(await s.get(key), Buffer.alloc(1500, key), `acknowledged ${key} is missing`);
    }
    await s.close();
    const check = new DatabaseSync(path, { readOnly: true });
    assert.equal(check.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
    check.close();
  });
});
