import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { SqliteStorage } from './sqlite.ts';
import { tempDir } from './test-helper.ts';

/**
 * `node script hold PATH N`: opens the storage, writes N keys one by one, printing each once
 * acknowledged, then `ready`, and stays up. `node script try PATH`: opens and closes the storage
 * and prints `opened`, or prints why it could not.
 */
function writeScript(dir: string): string {
  const script = join(dir, 'other-process.mts');
  writeFileSync(
    script,
    `import { SqliteStorage } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'sqlite.ts')).href)};
const [mode, path, n] = process.argv.slice(2);
if (mode === 'hold') {
  const s = SqliteStorage.open({ path });
  for (let i = 0; i < Number(n); i++) {
    await s.put('k/' + i, Buffer.from('value ' + i));
    process.stdout.write('k/' + i + '\\n');
  }
  process.stdout.write('ready\\n');
  setInterval(() => {}, 60_000);
} else {
  try {
    await SqliteStorage.open({ path }).close();
    process.stdout.write('opened');
  } catch (err) {
    process.stdout.write(err.message);
  }
}
`,
  );
  return script;
}

/** Starts a process that opens `path` and writes `writes` keys; resolves once they are acknowledged. */
async function holder(
  script: string,
  path: string,
  writes: number,
): Promise<{ child: ChildProcess; acknowledged: string[] }> {
  const child = spawn(process.execPath, [script, 'hold', path, String(writes)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const parts = out.split('\n');
      out = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.includes('ready')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`holder exited (${code ?? signal}): ${err}`)));
  });
  return { child, acknowledged: lines.filter((l) => l !== 'ready') };
}

async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill('SIGKILL');
  await closed;
}

/** Runs `node script try PATH` and returns what it printed. */
async function tryOpen(script: string, path: string): Promise<string> {
  const child = spawn(process.execPath, [script, 'try', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, out);
  return out;
}

function setUserVersion(path: string, version: number): void {
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA user_version = ${version}`);
  db.close();
}

const inUse = (path: string) =>
  `sqlite storage: ${path} is in use by another Coffer process (lock file ${path}.lock)`;

describe('SqliteStorage: one Coffer process per database file', () => {
  it('refuses at once to open a file another process has open, naming it and its lock file', async () => {
    const dir = tempDir('coffer-lock-');
    const path = join(dir, 'coffer.db');
    const { child } = await holder(writeScript(dir), path, 1);
    try {
      const started = performance.now();
      assert.throws(
        () => SqliteStorage.open({ path }),
        (err: Error) => err.message === inUse(path),
      );
      // Not after the main connection's 5 s busy timeout: the lock connection waits for nothing.
      const ms = performance.now() - started;
      assert.ok(ms < 1000, `refused after ${ms.toFixed(0)} ms`);
      assert.equal(child.exitCode, null, 'the holder is still running');
    } finally {
      await kill9(child);
    }
  });

  it('opens once the process holding it is killed with SIGKILL, with every write it acknowledged', async () => {
    const dir = tempDir('coffer-lock-');
    const path = join(dir, 'coffer.db');
    const { child, acknowledged } = await holder(writeScript(dir), path, 50);
    try {
      assert.equal(acknowledged.length, 50);
      assert.throws(() => SqliteStorage.open({ path }), { message: inUse(path) });
    } finally {
      await kill9(child);
    }
    assert.equal(child.signalCode, 'SIGKILL');
    // No clean-up by hand: the kernel dropped the dead process's lock.
    const s = SqliteStorage.open({ path });
    for (const key of acknowledged) {
      assert.equal((await s.get(key))?.toString(), `value ${key.slice(2)}`, key);
    }
    await s.close();
  });

  it('in one process: a second open is refused until close(), without loosening the lock for others', async () => {
    const dir = tempDir('coffer-lock-');
    const path = join(dir, 'coffer.db');
    const script = writeScript(dir);
    const s1 = SqliteStorage.open({ path });
    await s1.put('a', Buffer.from('1'));
    assert.throws(() => SqliteStorage.open({ path }), { message: inUse(path) });
    // The refused open closed its own descriptors of the lock file: in a process that holds POSIX
    // locks, closing a descriptor of the file drops them all. Another process is still refused.
    assert.equal(await tryOpen(script, path), inUse(path));
    assert.equal((await s1.get('a'))?.toString(), '1');
    await s1.put('b', Buffer.from('2'));
    await s1.close();
    const s2 = SqliteStorage.open({ path });
    assert.equal((await s2.get('b'))?.toString(), '2');
    await s2.close();
    assert.equal(await tryOpen(script, path), 'opened');
    // An open that fails after taking the lock (here on a newer schema) releases it.
    setUserVersion(path, 99);
    assert.throws(() => SqliteStorage.open({ path }), /schema version 99 is newer/);
    setUserVersion(path, 2);
    await SqliteStorage.open({ path }).close();
  });

  it('keeps the lock file beside the database, mode 0600, with no journal; a symlink to the file shares it', async () => {
    const dir = tempDir('coffer-lock-');
    const path = join(dir, 'data', 'coffer.db');
    const s = SqliteStorage.open({ path });
    await s.put('k', Buffer.from('v'));
    assert.equal(statSync(`${path}.lock`).mode & 0o777, 0o600);
    assert.deepEqual(
      readdirSync(join(dir, 'data')).filter((f) => f.includes('.lock')),
      ['coffer.db.lock'],
    );
    const link = join(dir, 'link.db');
    symlinkSync(path, link);
    assert.throws(
      () => SqliteStorage.open({ path: link }),
      (err: Error) =>
        err.message ===
        `sqlite storage: ${link} is in use by another Coffer process (lock file ${path}.lock)`,
    );
    await s.close();
    // Left in place: removing it would race with a process opening it.
    assert.ok(existsSync(`${path}.lock`));
    const again = SqliteStorage.open({ path: link });
    assert.equal((await again.get('k'))?.toString(), 'v');
    await again.close();
  });

  it('refuses a folder as the database file, without a lock file beside it', () => {
    const dir = tempDir('coffer-lock-');
    const folder = join(dir, 'coffer');
    mkdirSync(folder);
    assert.throws(() => SqliteStorage.open({ path: folder }), {
      message: `sqlite storage: cannot open ${folder}: it is a directory`,
    });
    assert.deepEqual(readdirSync(dir), ['coffer']);
  });
});
