import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InmemStorage } from './inmem/inmem.ts';
import { openStorage, storageTypes } from './registry.ts';
import { SqliteStorage } from './sqlite/sqlite.ts';

describe('openStorage', () => {
  it('lists the supported types', () => {
    assert.deepEqual(storageTypes, ['inmem', 'sqlite']);
  });

  it('opens inmem', async () => {
    const s = await openStorage('inmem', {});
    assert.ok(s instanceof InmemStorage);
    await s.close();
  });

  it('opens sqlite at the configured path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-registry-'));
    try {
      const s = await openStorage('sqlite', { path: join(dir, 'sub', 'coffer.db') });
      assert.ok(s instanceof SqliteStorage);
      await s.put('k', Buffer.from('v'));
      await s.close();
      const again = await openStorage('sqlite', { path: join(dir, 'sub', 'coffer.db') });
      assert.equal((await again.get('k'))?.toString(), 'v');
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses sqlite without a usable path', async () => {
    await assert.rejects(openStorage('sqlite', {}), /storage "sqlite": missing required config "path"/);
    await assert.rejects(openStorage('sqlite', { path: 42 }), /"path" must be a non-empty string/);
    await assert.rejects(openStorage('sqlite', { path: '' }), /"path" must be a non-empty string/);
  });

  it('refuses unknown config keys', async () => {
    await assert.rejects(
      openStorage('sqlite', { path: '/tmp/x.db', pth: 'typo' }),
      /unknown config "pth" \(accepted: path\)/,
    );
    await assert.rejects(openStorage('inmem', { path: 'x' }), /unknown config "path" \(accepted: none\)/);
  });

  it('names an unknown type and the supported ones', async () => {
    await assert.rejects(
      openStorage('consul', {}),
      /unknown storage type "consul"; supported: inmem, sqlite/,
    );
    await assert.rejects(openStorage('toString', {}), /unknown storage type "toString"/);
  });
});
