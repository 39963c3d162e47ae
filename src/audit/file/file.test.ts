import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { auditDeviceConformance } from '../../core/audit/conformance.ts';
import { BadRequestError, InvalidFieldError } from '../../sdk/errors.ts';
import { silentLogger } from '../../sdk/logger.ts';
import { DiscardDevice, type FileAuditDevice, fileFactory, parseFileOptions, StreamDevice } from './file.ts';

const root = await mkdtemp(join(tmpdir(), 'coffer-audit-file-'));
after(() => rm(root, { recursive: true, force: true }));
let n = 0;
const freshDir = async () => {
  const d = join(root, `d${n++}`);
  await mkdir(d);
  return d;
};
const deps = { logger: silentLogger };
const lines = async (p: string) => (await readFile(p, 'utf8')).split('\n').filter((l) => l !== '');
const open = async (filePath: string, extra: Record<string, string> = {}) =>
  (await fileFactory({ file_path: filePath, ...extra }, deps)) as FileAuditDevice;

describe('file audit device', () => {
  auditDeviceConformance(async () => {
    const p = join(await freshDir(), 'audit.log');
    const device = await open(p);
    return {
      device,
      received: () => lines(p),
      cleanup: () => device.close(),
    };
  });

  it('parses options as Vault: file_path required (or path), mode octal, unknown refused', () => {
    assert.deepEqual(parseFileOptions({ file_path: '/x' }), { filePath: '/x', mode: 0o600 });
    assert.deepEqual(parseFileOptions({ path: '/x', mode: '0640' }), { filePath: '/x', mode: 0o640 });
    assert.deepEqual(parseFileOptions({ file_path: '/x', mode: '0000' }), { filePath: '/x', mode: 0 });
    assert.throws(() => parseFileOptions({}), InvalidFieldError);
    assert.throws(() => parseFileOptions({ file_path: '/x', mode: 'rw' }), InvalidFieldError);
    assert.throws(() => parseFileOptions({ file_path: '/x', mode: '0999' }), InvalidFieldError);
    assert.throws(() => parseFileOptions({ file_path: '/x', colour: 'red' }), /unknown option "colour"/);
  });

  it('writes batches of every size byte for byte, multi-byte characters included', async () => {
    const p = join(await freshDir(), 'audit.log');
    const dev = await open(p);
    // Small, then far larger than any earlier batch (the encoding buffer grows), then small again,
    // then one past the shared buffer's limit; text with 2-, 3- and 4-byte UTF-8 characters.
    const batches = [
      ['{"a":"é"}'],
      Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, s: `€🔑${'x'.repeat(i * 3)}` })),
      ['{"b":"ü\\u2028"}'],
      [JSON.stringify({ big: '€'.repeat(1_500_000) })],
      ['{"c":1}'],
    ];
    for (const b of batches) await Promise.all(b.map((l) => dev.write([l])));
    await dev.close();
    assert.equal(await readFile(p, 'utf8'), `${batches.flat().join('\n')}\n`);
  });

  it('creates the file with mode 0600 (or the given mode), appending to an existing file', async () => {
    const d = await freshDir();
    const p = join(d, 'audit.log');
    const dev = await open(p);
    assert.equal((await stat(p)).mode & 0o777, 0o600);
    await dev.write(['{"a":1}']);
    await dev.close();
    const again = await open(p, { mode: '0640' });
    assert.equal((await stat(p)).mode & 0o777, 0o640);
    await again.write(['{"a":2}']);
    await again.close();
    assert.deepEqual(
      (await lines(p)).map((l) => JSON.parse(l)),
      [{ a: 1 }, { a: 2 }],
    );
  });

  it('does not create the directory: enabling answers 400 with the reason', async () => {
    const p = join(root, 'no-such-dir', 'audit.log');
    await assert.rejects(open(p), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.match(err.message, /ENOENT/);
      return true;
    });
    const d = await freshDir();
    await assert.rejects(open(d), BadRequestError, 'a directory is not a file');
  });

  it('group commit: 200 concurrent writes take far fewer fdatasyncs, every line valid JSON', async () => {
    const p = join(await freshDir(), 'audit.log');
    const dev = await open(p);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => dev.write([JSON.stringify({ i, type: 'request' })])),
    );
    assert.equal(dev.syncCount, 1, 'writes of the same tick go in one batch');
    const got = await lines(p);
    assert.equal(got.length, 200);
    assert.deepEqual(
      got.map((l) => JSON.parse(l).i),
      Array.from({ length: 200 }, (_, i) => i),
    );
    // Spread over 20 ticks: lines queued while a batch is in flight go together in the next one.
    const before = dev.syncCount;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      pending.push(dev.write([JSON.stringify({ later: i })]));
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(pending);
    assert.ok(dev.syncCount - before < 20, `syncs: ${dev.syncCount - before}`);
    assert.equal((await lines(p)).length, 400);
    await dev.close();
  });

  it('unsynced lines (request entries) are written at once and synced by the next synced line', async () => {
    const p = join(await freshDir(), 'audit.log');
    const dev = await open(p);
    await dev.write([JSON.stringify({ type: 'request' })], { sync: false });
    assert.equal(dev.syncCount, 0, 'no fdatasync for a request line');
    assert.equal((await lines(p)).length, 1, 'but it is written (a broken device would reject it)');
    await dev.write([JSON.stringify({ type: 'response' })]);
    assert.equal(dev.syncCount, 1, 'the response line syncs both');
    await dev.close();
  });

  it('group commit: sync writes arriving while an fdatasync is in flight all share the next one', async () => {
    const p = join(await freshDir(), 'audit.log');
    const dev = await open(p);
    const pending: Promise<void>[] = [dev.write([JSON.stringify({ i: 0 })])];
    // The first line is appended at the end of this turn and its fdatasync starts; that cannot
    // finish before the event loop turns again, so the 99 others all wait for the one after it.
    await new Promise((r) => setImmediate(r));
    for (let i = 1; i < 100; i++) {
      pending.push(dev.write([JSON.stringify({ i })]));
      await null;
    }
    await Promise.all(pending);
    assert.equal(dev.syncCount, 2);
    assert.deepEqual(
      (await lines(p)).map((l) => JSON.parse(l).i),
      Array.from({ length: 100 }, (_, i) => i),
    );
    await dev.close();
  });

  it('a request line (unsynced) then its response line (synced): one fdatasync, both in order', async () => {
    const p = join(await freshDir(), 'audit.log');
    const dev = await open(p);
    const request = dev.write([JSON.stringify({ type: 'request' })], { sync: false });
    const response = dev.write([JSON.stringify({ type: 'response' })], { sync: true });
    await Promise.all([request, response]);
    assert.equal(dev.syncCount, 1);
    assert.deepEqual(
      (await lines(p)).map((l) => JSON.parse(l).type),
      ['request', 'response'],
    );
    await dev.close();
  });

  it('writes issued during a reopen wait and land in the new file; the old file is synced first', async () => {
    const d = await freshDir();
    const p = join(d, 'audit.log');
    const dev = await open(p);
    await dev.write(['{"n":1}'], { sync: false });
    await rename(p, `${p}.1`);
    const reopened = dev.reopen();
    const writes = [dev.write(['{"n":2}'], { sync: false }), dev.write(['{"n":3}'])];
    await new Promise((r) => setImmediate(r)); // the reopen is now under way
    writes.push(dev.write(['{"n":4}']));
    await Promise.all([reopened, ...writes]);
    assert.ok(dev.syncCount >= 2, 'the old file (with its unsynced line) and the new one');
    await dev.close();
    assert.deepEqual(
      (await lines(`${p}.1`)).map((l) => JSON.parse(l).n),
      [1],
    );
    assert.deepEqual(
      (await lines(p)).map((l) => JSON.parse(l).n),
      [2, 3, 4],
    );
  });

  it('writes waiting on a reopen that fails reject with its reason', async () => {
    const d = await freshDir();
    const dev = await open(join(d, 'audit.log'));
    await rename(d, `${d}.old`);
    await writeFile(d, 'not a directory');
    const reopened = dev.reopen();
    const held = dev.write(['{"n":1}']);
    await assert.rejects(reopened, /reopen failed/);
    await assert.rejects(held, /reopen failed/);
    await dev.close();
  });

  it('close waits for pending syncs; a write after close rejects', async () => {
    const p = join(await freshDir(), 'audit.log');
    const dev = await open(p);
    const pending = dev.write(['{"n":1}']);
    await dev.close();
    await pending;
    assert.deepEqual(await lines(p), ['{"n":1}']);
    await assert.rejects(dev.write(['{"n":2}']), /closed/);
    await assert.rejects(dev.write(['{"n":3}'], { sync: false }), /closed/);
    await assert.rejects(dev.reopen(), /closed/);
  });

  it('reopen after a rename (logrotate) writes to a new file at the path', async () => {
    const d = await freshDir();
    const p = join(d, 'audit.log');
    const dev = await open(p);
    await dev.write(['{"n":1}']);
    await rename(p, `${p}.1`);
    await dev.write(['{"n":2}']); // still the old inode until SIGHUP
    await dev.reopen();
    await dev.write(['{"n":3}']);
    await dev.close();
    assert.deepEqual(
      (await lines(`${p}.1`)).map((l) => JSON.parse(l).n),
      [1, 2],
    );
    assert.deepEqual(
      (await lines(p)).map((l) => JSON.parse(l).n),
      [3],
    );
    assert.equal((await stat(p)).mode & 0o777, 0o600);
  });

  it('broken when reopen fails (dir replaced by a plain file): writes reject until a reopen succeeds', async () => {
    const d = await freshDir();
    const p = join(d, 'audit.log');
    const dev = await open(p);
    await dev.write(['{"n":1}']);
    await rename(d, `${d}.old`);
    await writeFile(d, 'not a directory');
    await assert.rejects(dev.reopen(), /reopen failed/);
    await assert.rejects(dev.write(['{"n":2}']), /reopen failed/);
    await assert.rejects(dev.write(['{"n":3}']), /reopen failed/);
    await rm(d);
    await mkdir(d);
    await dev.reopen();
    await dev.write(['{"n":4}']);
    await dev.close();
    assert.deepEqual(
      (await lines(p)).map((l) => JSON.parse(l).n),
      [4],
    );
    assert.deepEqual(
      (await lines(join(`${d}.old`, 'audit.log'))).map((l) => JSON.parse(l).n),
      [1],
    );
  });

  it('file_path "discard" drops lines; "stdout" writes to the stream', async () => {
    const discard = await fileFactory({ file_path: 'discard' }, deps);
    assert.ok(discard instanceof DiscardDevice);
    await discard.write(['{}']);
    assert.ok((await fileFactory({ file_path: 'stdout' }, deps)) instanceof StreamDevice);
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const dev = new StreamDevice(out);
    await dev.write(['{"a":1}', '{"a":2}']);
    assert.equal(chunks.join(''), '{"a":1}\n{"a":2}\n');
  });

  it('lines written in one turn of the event loop go out in one append, in order', async () => {
    const p = join(await freshDir(), 'audit.log');
    const dev = await open(p);
    const writes = Array.from({ length: 20 }, (_, i) =>
      dev.write([JSON.stringify({ i, type: 'request' })], { sync: i % 2 === 1 }),
    );
    await Promise.all(writes);
    assert.equal(dev.syncCount, 1, 'one fdatasync covers them all');
    assert.deepEqual(
      (await lines(p)).map((l) => JSON.parse(l).i),
      Array.from({ length: 20 }, (_, i) => i),
    );
    await dev.close();
  });
});
