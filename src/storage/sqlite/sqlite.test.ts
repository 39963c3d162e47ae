import assert from 'node:assert/strict';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { storageConformance } from '../conformance.ts';
import { SqliteStorage } from './sqlite.ts';
import { runUntilKilled, tempDir } from './test-helper.ts';

storageConformance('sqlite', async () => {
  const dir = tempDir();
  return {
    storage: SqliteStorage.open({ path: join(dir, 'coffer.db') }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStorage', () => {
  it('keeps data across close and open', async () => {
    const path = join(tempDir(), 'coffer.db');
    const s1 = SqliteStorage.open({ path });
    await s1.put('a/b', Buffer.from('v1'));
    await s1.batch([{ op: 'put', key: 'c', value: Buffer.alloc(0) }]);
    await s1.close();
    const s2 = SqliteStorage.open({ path });
    assert.equal((await s2.get('a/b'))?.toString(), 'v1');
    assert.equal((await s2.get('c'))?.length, 0);
    assert.deepEqual(await s2.list(''), ['a/', 'c']);
    await s2.close();
  });

  it('creates missing folders and files with mode 0600, in WAL mode', async () => {
    const path = join(tempDir(), 'nested', 'deeper', 'coffer.db');
    const s = SqliteStorage.open({ path });
    await s.put('k', Buffer.from('v'));
    for (const f of [path, `${path}-wal`, `${path}-shm`]) {
      assert.equal(statSync(f).mode & 0o777, 0o600, f);
    }
    const other = new DatabaseSync(path, { readOnly: true });
    assert.equal(other.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    assert.equal(other.prepare('PRAGMA user_version').get()?.user_version, 2);
    other.close();
    await s.close();
  });

  it('migrates a version 1 file (WITHOUT ROWID) to version 2 with every entry', async () => {
    const path = join(tempDir(), 'coffer.db');
    const v1 = new DatabaseSync(path);
    v1.exec(`PRAGMA journal_mode = WAL;
      CREATE TABLE entries (key BLOB NOT NULL PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
      PRAGMA user_version = 1;`);
    const insert = v1.prepare('INSERT INTO entries (key, value) VALUES (?, ?)');
    for (let i = 0; i < 300; i++) insert.run(Buffer.from(`a/${i}`), Buffer.from(`value ${i}`));
    insert.run(Buffer.from('b'), Buffer.from('bee'));
    v1.close();
    const s = SqliteStorage.open({ path });
    assert.equal((await s.list('a/')).length, 300);
    assert.equal((await s.get('a/299'))?.toString(), 'value 299');
    assert.equal((await s.get('b'))?.toString(), 'bee');
    await s.put('c', Buffer.from('new'));
    await s.close();
    const check = new DatabaseSync(path, { readOnly: true });
    assert.equal(check.prepare('PRAGMA user_version').get()?.user_version, 2);
    const sql = String(check.prepare("SELECT sql FROM sqlite_master WHERE name = 'entries'").get()?.sql);
    assert.doesNotMatch(sql, /WITHOUT ROWID/i);
    assert.equal(check.prepare('SELECT count(*) AS n FROM entries').get()?.n, 302);
    check.close();
  });

  it('names the path when it cannot open', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    const under = join(dir, 'file', 'coffer.db');
    assert.throws(
      () => SqliteStorage.open({ path: under }),
      (err: Error) => err.message.includes(under),
    );
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 'not a database'));
    assert.throws(
      () => SqliteStorage.open({ path: garbage }),
      (err: Error) => err.message.includes(garbage) && /not a database/.test(err.message),
    );
    assert.throws(
      () => SqliteStorage.open({ path: dir }),
      (err: Error) => err.message.includes(dir),
    );
    assert.throws(() => SqliteStorage.open({ path: '' }), /path/);
  });

  it('refuses a schema version newer than it knows', async () => {
    const path = join(tempDir(), 'coffer.db');
    await SqliteStorage.open({ path }).close();
    const db = new DatabaseSync(path);
    db.exec('PRAGMA user_version = 99');
    db.close();
    assert.throws(() => SqliteStorage.open({ path }), /schema version 99 is newer/);
  });

  it('commits 200 concurrent puts in far fewer than 200 transactions', async () => {
    const s = SqliteStorage.open({ path: join(tempDir(), 'coffer.db') });
    const before = s.stats.commits;
    await Promise.all(Array.from({ length: 200 }, (_, i) => s.put(`k/${i}`, Buffer.from(String(i)))));
    const commits = s.stats.commits - before;
    assert.ok(commits >= 1 && commits <= 5, `${commits} commits`);
    assert.equal((await s.list('k/')).length, 200);
    await s.close();
  });

  it('groups writes made while a commit is waiting, across callbacks of one loop turn', async () => {
    const s = SqliteStorage.open({ path: join(tempDir(), 'coffer.db') });
    const before = s.stats.commits;
    // Each writer first awaits a read (a few microtasks), then writes: they still share a commit.
    const writer = async (i: number) => {
      await s.get(`w/${i}`);
      await s.put(`w/${i}`, Buffer.from('x'));
    };
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer(i)));
    assert.equal(s.stats.commits - before, 1);
    await s.close();
  });

  it('a read of a key committed but not yet synced waits for the sync', async () => {
    const s = SqliteStorage.open({ path: join(tempDir(), 'coffer.db') });
    await s.put('k', Buffer.from('old'));
    const order: string[] = [];
    const put = s.put('k', Buffer.from('new')).then(() => order.push('put'));
    // After this turn the group is committed (visible in SQLite) and its fdatasync is running.
    await new Promise((r) => setImmediate(r));
    const before = s.stats;
    assert.equal(before.commits, 2);
    const get = s.get('k').then((v) => order.push(`get ${v?.toString()}`));
    const list = s.list('').then(() => order.push('list'));
    const other = s.get('other').then(() => order.push('other'));
    await Promise.all([put, get, list, other]);
    assert.deepEqual(order.slice(order.indexOf('put')), ['put', 'get new', 'list']);
    assert.ok(order.indexOf('other') < order.indexOf('put'), `a read of another key does not wait: ${order}`);
    await s.close();
  });

  it('every committed group is synced, at most one sync per commit', async () => {
    const s = SqliteStorage.open({ path: join(tempDir(), 'coffer.db') });
    await s.put('warm', Buffer.from('x'));
    const before = s.stats;
    const waves: Promise<void>[] = [];
    for (let wave = 0; wave < 5; wave++) {
      for (let i = 0; i < 20; i++) waves.push(s.put(`w/${wave}/${i}`, Buffer.from('v')));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(waves);
    const after = s.stats;
    assert.equal(after.commits - before.commits, 5);
    // Never more syncs than commits; how many fewer depends on the disk (bench/ measures it).
    assert.ok(after.syncs - before.syncs >= 1 && after.syncs - before.syncs <= 5);
    await s.close();
  });

  it('rejects every write of a failed transaction and applies none of them', async () => {
    const path = join(tempDir(), 'coffer.db');
    const s = SqliteStorage.open({ path, busyTimeoutMs: 0 });
    await s.put('existing', Buffer.from('old'));
    const locker = new DatabaseSync(path);
    locker.exec('BEGIN IMMEDIATE');
    const results = await Promise.allSettled([
      s.put('a', Buffer.from('1')),
      s.delete('existing'),
      s.batch([{ op: 'put', key: 'b', value: Buffer.from('2') }]),
    ]);
    locker.exec('ROLLBACK');
    locker.close();
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.match(String((r as PromiseRejectedResult).reason.message), /write to .*coffer\.db failed/);
    }
    assert.equal(await s.get('a'), undefined);
    assert.equal(await s.get('b'), undefined);
    assert.equal((await s.get('existing'))?.toString(), 'old');
    await s.put('a', Buffer.from('1'));
    assert.equal((await s.get('a'))?.toString(), '1');
    await s.close();
  });

  it('lists a folder in O(children) among 100,000 keys', async () => {
    const s = SqliteStorage.open({ path: join(tempDir(), 'coffer.db') });
    const ops = [];
    for (let i = 0; i < 50_000; i++) {
      ops.push({ op: 'put' as const, key: `big/a/${i}`, value: Buffer.from('v') });
      ops.push({ op: 'put' as const, key: `big/b/x/${i}`, value: Buffer.from('v') });
    }
    ops.push({ op: 'put' as const, key: 'big/c', value: Buffer.from('v') });
    ops.push({ op: 'put' as const, key: 'big/a0', value: Buffer.from('v') });
    ops.push({ op: 'put' as const, key: 'bigger', value: Buffer.from('v') });
    await s.batch(ops);
    const before = s.stats.listRowsRead;
    assert.deepEqual(await s.list('big/'), ['a/', 'a0', 'b/', 'c']);
    assert.ok(s.stats.listRowsRead - before <= 5, `${s.stats.listRowsRead - before} rows read`);
    const before2 = s.stats.listRowsRead;
    assert.deepEqual(await s.list(''), ['big/', 'bigger']);
    assert.ok(s.stats.listRowsRead - before2 <= 3, `${s.stats.listRowsRead - before2} rows read`);
    await s.close();
  });

  it('refuses keys that are not well-formed UTF-16, and bad values', async () => {
    const s = SqliteStorage.open({ path: join(tempDir(), 'coffer.db') });
    await assert.rejects(s.put('a\uD800b', Buffer.from('v')), /well-formed/);
    await assert.rejects(s.get('\uDC00'), /well-formed/);
    await assert.rejects(s.batch([{ op: 'delete', key: '\uD800' }]), /well-formed/);
    await assert.rejects(s.put('k', 'string' as unknown as Buffer), TypeError);
    await assert.rejects(
      s.batch([
        { op: 'put', key: 'ok', value: Buffer.from('v') },
        { op: 'put', key: '\uD800', value: Buffer.from('v') },
      ]),
      /well-formed/,
    );
    assert.equal(await s.get('ok'), undefined);
    await s.close();
  });

  it('fails clearly after close', async () => {
    const s = SqliteStorage.open({ path: join(tempDir(), 'coffer.db') });
    await s.close();
    await s.close();
    await assert.rejects(s.get('k'), /is closed/);
    await assert.rejects(s.put('k', Buffer.from('v')), /is closed/);
    await assert.rejects(s.list(''), /is closed/);
  });

  it('keeps every acknowledged write when the process is killed (SIGKILL)', async () => {
    const dir = tempDir();
    const path = join(dir, 'coffer.db');
    const script = join(dir, 'writer.mts');
    writeFileSync(
      script,
      `import { SqliteStorage } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'sqlite.ts')).href)};
const s = SqliteStorage.open({ path: process.argv[2] });
const round = process.argv[3];
async function writer(w: number): Promise<void> {
  for (let i = 0; ; i++) {
    const key = \`r\${round}/w\${w}/\${i}\`;
    await s.put(key, Buffer.from(key));
    process.stdout.write(key + '\\n');
  }
}
for (let w = 0; w < 8; w++) writer(w);
`,
    );
    const acknowledged: string[] = [];
    for (let round = 0; round < 3; round++) {
      const killAfter = 100 + Math.floor(Math.random() * 400);
      acknowledged.push(...(await runUntilKilled(script, [path, String(round)], killAfter)).acknowledged);
    }
    const s = SqliteStorage.open({ path });
    for (const key of acknowledged) {
      assert.equal((await s.get(key))?.toString(), key, `acknowledged ${key} is missing`);
    }
    await s.close();
  });
});
