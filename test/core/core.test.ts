import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Core } from '../../src/core/core.ts';
import {
  BadRequestError,
  NotInitializedError,
  PermissionDeniedError,
  SealedError,
  UnsupportedPathError,
} from '../../src/sdk/errors.ts';
import type { Fields } from '../../src/sdk/framework/fields.ts';
import { silentLogger } from '../../src/sdk/logger.ts';
import { MAX_DATA_DEPTH, type Operation } from '../../src/sdk/request.ts';
import { builtinAuthRegistry, builtinRegistry } from '../../src/server/registry.ts';
import { InmemStorage } from '../../src/storage/inmem/inmem.ts';
import { testCore } from '../helpers/core.ts';

const req = (operation: Operation, path: string, data: Record<string, unknown> = {}, clientToken = '') => ({
  id: randomUUID(),
  operation,
  path,
  data,
  headers: {},
  clientToken,
  remoteAddr: '127.0.0.1',
});

describe('core: seal lifecycle', () => {
  it('init → sealed → unseal with 3 of 5 → root token works → restart is sealed', async () => {
    const storage = new InmemStorage();
    const make = () =>
      new Core({
        physical: storage,
        storageType: 'inmem',
        registry: builtinRegistry(),
        authRegistry: builtinAuthRegistry(),
        logger: silentLogger,
      });
    const core = make();
    await assert.rejects(core.handle(req('read', 'sys/mounts')), NotInitializedError);
    const health = await core.handle(req('read', 'sys/health'));
    assert.equal(health.status, 501);
    const init = await core.handle(req('update', 'sys/init', { secret_shares: 5, secret_threshold: 3 }));
    const { keys, keys_base64, root_token } = init.raw as {
      keys: string[];
      keys_base64: string[];
      root_token: string;
    };
    assert.equal(keys.length, 5);
    assert.equal(keys_base64.length, 5);
    await assert.rejects(core.handle(req('read', 'sys/mounts', {}, root_token)), SealedError);
    assert.equal((await core.handle(req('read', 'sys/health'))).status, 503);
    await core.handle(req('update', 'sys/unseal', { key: keys[4] }));
    await core.handle(req('update', 'sys/unseal', { key: keys_base64[1] }));
    const st = await core.handle(req('update', 'sys/unseal', { key: keys[2] }));
    assert.equal((st.raw as { sealed: boolean }).sealed, false);
    assert.equal((await core.handle(req('read', 'sys/health'))).status, 200);
    const mounts = await core.handle(req('read', 'sys/mounts', {}, root_token));
    assert.ok(mounts.data?.['sys/']);
    await assert.rejects(core.handle(req('read', 'sys/mounts', {}, 'hvs.wrong')), PermissionDeniedError);
    await assert.rejects(core.handle(req('read', 'sys/mounts')), PermissionDeniedError);
    await core.handle(req('update', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } }, root_token));
    await core.handle(req('update', 'kv/data/a', { data: { v: 'x' } }, root_token));
    await core.close();

    const again = make();
    await assert.rejects(again.handle(req('read', 'kv/data/a', {}, root_token)), SealedError);
    for (const k of [keys[0], keys[1], keys[3]]) await again.handle(req('update', 'sys/unseal', { key: k }));
    const read = await again.handle(req('read', 'kv/data/a', {}, root_token));
    assert.deepEqual((read.data as { data: unknown }).data, { v: 'x' });
    await again.close();
  });

  it('a repeated key does not count and a wrong key resets', async () => {
    const core = new Core({
      physical: new InmemStorage(),
      storageType: 'inmem',
      registry: builtinRegistry(),
      authRegistry: builtinAuthRegistry(),
      logger: silentLogger,
    });
    const init = await core.handle(req('update', 'sys/init', { secret_shares: 3, secret_threshold: 2 }));
    const { keys } = init.raw as { keys: string[] };
    await core.handle(req('update', 'sys/unseal', { key: keys[0] }));
    await assert.rejects(core.handle(req('update', 'sys/unseal', { key: keys[0] })), BadRequestError);
    const wrong = Buffer.from(keys[1]!, 'hex');
    wrong[0]! ^= 1;
    await assert.rejects(
      core.handle(req('update', 'sys/unseal', { key: wrong.toString('hex') })),
      BadRequestError,
    );
    const st = await core.handle(req('read', 'sys/seal-status'));
    assert.deepEqual(
      [(st.raw as { sealed: boolean }).sealed, (st.raw as { progress: number }).progress],
      [true, 0],
    );
  });
});

describe('core: mounts', () => {
  it('enable, tune, remount, disable', async () => {
    const t = await testCore();
    await t.request('update', 'sys/mounts/team/kv', { type: 'kv-v2', description: 'team' });
    await t.request('update', 'team/kv/data/x', { data: { a: '1' } });
    const ui = await t.request('read', 'sys/internal/ui/mounts/team/kv/data/x');
    assert.equal(ui.data?.path, 'team/kv/');
    assert.deepEqual(ui.data?.options, { version: '2' });
    await t.request('update', 'sys/mounts/team/kv/tune', { default_lease_ttl: '1h', max_lease_ttl: '2h' });
    const tune = await t.request('read', 'sys/mounts/team/kv/tune');
    assert.equal(tune.data?.default_lease_ttl, 3600);
    assert.deepEqual(tune.data?.options, { version: '2' });
    await assert.rejects(
      t.request('update', 'sys/mounts/team/kv/tune', { default_lease_ttl: '3h' }),
      /greater/,
    );
    await assert.rejects(t.request('update', 'sys/mounts/team/kv', { type: 'kv' }), /already in use/);
    await assert.rejects(t.request('update', 'sys/mounts/team', { type: 'kv' }), /conflicts/);
    await assert.rejects(
      t.request('update', 'sys/mounts/sys2x', { type: 'nope' }),
      /unknown secrets engine type/,
    );
    await assert.rejects(t.request('update', 'sys/mounts/cubbyhole', { type: 'kv' }), /reserved/);
    await assert.rejects(
      t.request('update', 'sys/mounts/x', { type: 'kv', bogus: 1 }),
      /unknown field "bogus"/,
    );
    // As Vault: a mount cannot move onto itself, below itself or around itself; nothing changes.
    for (const to of ['team/kv', 'team/kv/sub', 'team']) {
      await assert.rejects(
        t.request('update', 'sys/remount', { from: 'team/kv', to }),
        /already in use|conflicts/,
        `remount to ${to}`,
      );
    }
    assert.deepEqual(
      (await t.request('read', 'team/kv/data/x')).data?.data,
      { a: '1' },
      'still at team/kv after the refused remounts',
    );
    await t.request('update', 'sys/remount', { from: 'team/kv', to: 'moved' });
    const moved = await t.request('read', 'moved/data/x');
    assert.deepEqual((moved.data as { data: unknown }).data, { a: '1' });
    await assert.rejects(t.request('read', 'team/kv/data/x'), UnsupportedPathError);
    await t.request('delete', 'sys/mounts/moved');
    await assert.rejects(t.request('read', 'moved/data/x'), UnsupportedPathError);
    const left = (await t.storage.list('logical/')).length;
    await t.request('update', 'sys/mounts/again', { type: 'kv' });
    assert.equal((await t.storage.list('logical/')).length, left, 'disable removed the data of the mount');
    await assert.rejects(t.request('delete', 'sys/mounts/sys'), /reserved|cannot|invalid/);
    await t.core.close();
  });

  it('key rotation keeps old values readable', async () => {
    const t = await testCore();
    await t.request('update', 'secret/data/a', { data: { v: 1 } });
    const before = await t.request('read', 'sys/key-status');
    await t.request('update', 'sys/rotate');
    const after = await t.request('read', 'sys/key-status');
    assert.equal(after.data?.term, (before.data?.term as number) + 1);
    await t.request('update', 'secret/data/b', { data: { v: 2 } });
    assert.deepEqual(((await t.request('read', 'secret/data/a')).data as { data: unknown }).data, { v: 1 });
    await t.core.close();
  });
});

describe('core: KV v2 writes over the barrier read cache', () => {
  it('each write builds on the latest metadata and leaves earlier readers their own', async () => {
    const t = await testCore();
    await t.request('update', 'secret/metadata/m', { max_versions: 2 });
    await t.request('update', 'secret/data/m', { data: { i: 1 } });
    const first = (await t.request('read', 'secret/data/m')).data as { metadata: { version: number } };
    for (let i = 2; i <= 5; i++) {
      // update (the existence check reads the cached metadata) and create-or-update with cas.
      const res = await t.request('update', 'secret/data/m', { data: { i }, options: { cas: i - 1 } });
      assert.equal(res.data?.version, i);
    }
    await assert.rejects(
      t.request('update', 'secret/data/m', { data: { i: 6 }, options: { cas: 4 } }),
      /check-and-set/,
    );
    assert.equal(first.metadata.version, 1, 'an earlier read is not changed by later writes');
    const md = (await t.request('read', 'secret/metadata/m')).data!;
    assert.deepEqual(Object.keys(md.versions as object), ['4', '5']);
    assert.equal(md.current_version, 5);
    assert.equal(md.oldest_version, 4);
    assert.deepEqual(((await t.request('read', 'secret/data/m')).data as { data: unknown }).data, { i: 5 });
    await assert.rejects(t.request('read', 'secret/data/m', { version: 3 }), { name: 'NotFoundError' });
    // A metadata write (its own copy) and a delete are seen by the next data write.
    await t.request('update', 'secret/metadata/m', { max_versions: 1 });
    await t.request('delete', 'secret/data/m');
    assert.equal((await t.request('update', 'secret/data/m', { data: { i: 6 } })).data?.version, 6);
    const after = (await t.request('read', 'secret/metadata/m')).data!;
    assert.deepEqual(Object.keys(after.versions as object), ['6']);
    await t.core.close();
  });
});

describe('core: help and OpenAPI cover every served path', () => {
  it('every path of every mounted engine has help and field descriptions, and is in the OpenAPI document', async () => {
    const t = await testCore();
    await t.request('update', 'sys/mounts/kv1', { type: 'kv' });
    const doc = (await t.request('read', 'sys/internal/specs/openapi')).raw as {
      paths: Record<string, unknown>;
    };
    const mounted = t.core.router.mounted();
    assert.ok(mounted.length >= 3);
    let count = 0;
    for (const { entry, backend } of mounted) {
      for (const p of backend.definition.paths) {
        count++;
        const where = `${entry.path}${p.pattern}`;
        assert.ok(p.help.synopsis.trim().length > 0, `${where} has no synopsis`);
        assert.ok(p.help.description.trim().length > 0, `${where} has no description`);
        for (const [name, spec] of Object.entries(p.fields as Fields)) {
          assert.ok(spec.description.trim().length > 0, `${where} field ${name} has no description`);
        }
        const key = `/${entry.path}${p.pattern.replace(/:([A-Za-z_]+)[*+]?/g, '{$1}')}`.replace(/\/$/, '');
        assert.ok(doc.paths[key], `${where} missing from OpenAPI (${key})`);
      }
    }
    assert.ok(count > 20);
    const help = await t.request('read', 'secret/data/foo', {}, { help: true });
    assert.match((help.raw as { help: string }).help, /data/);
    await t.core.close();
  });
});

describe('core: audit lines around a device being enabled', () => {
  it('the enabling request logs its response only; later requests log both lines', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'coffer-audit-enable-'));
    try {
      const t = await testCore();
      const file = join(dir, 'audit.log');
      await t.request('update', 'sys/audit/file', { type: 'file', options: { file_path: file } });
      await t.request('read', 'sys/mounts');
      await t.core.close();
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((l) => [l.type, l.request.path]),
        [
          ['response', 'sys/audit/file'],
          ['request', 'sys/mounts'],
          ['response', 'sys/mounts'],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('core: audit of deeply nested data', () => {
  it('a secret nested as deep as the edge accepts is written and read with a file audit device on', async () => {
    // the audit hasher stopped at 128 levels: such a write, and every read of such a secret,
    // failed every device and answered 500
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'coffer-audit-deep-'));
    try {
      const t = await testCore();
      await t.request('update', 'sys/audit/file', {
        type: 'file',
        options: { file_path: join(dir, 'a.log') },
      });
      // {"data":{"k":[[…]]}}: the body is nested MAX_DATA_DEPTH deep, the edge's limit
      let deep: unknown = [];
      for (let i = 0; i < MAX_DATA_DEPTH - 3; i++) deep = [deep];
      await t.request('update', 'secret/data/deep', { data: { k: deep } });
      const read = await t.request('read', 'secret/data/deep');
      assert.deepEqual(read.data?.data, { k: deep });
      await t.core.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
