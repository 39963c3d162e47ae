import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InvalidFieldError,
  InvalidPathError,
  NotFoundError,
  UnsupportedMediaTypeError,
} from '../../../sdk/index.ts';
import { kvHarness, kvRequest, printed, START } from '../test-helper.ts';

describe('kv v2 metadata/', () => {
  it('reads the settings and every version, in Vault shape', async () => {
    const kv = await kvHarness();
    await kv.write('data/app', { data: { a: 1 } });
    kv.clock.advance(10);
    await kv.write('data/app', { data: { a: 2 } });
    kv.clock.advance(5);
    await kv.call('delete', 'data/app');
    assert.deepEqual(await kv.call('read', 'metadata/app'), {
      data: {
        cas_required: false,
        created_time: printed(START),
        current_version: 2,
        custom_metadata: null,
        delete_version_after: '0s',
        max_versions: 0,
        oldest_version: 0,
        updated_time: printed(START + 10_000),
        versions: {
          '1': { created_time: printed(START), deletion_time: '', destroyed: false },
          '2': {
            created_time: printed(START + 10_000),
            deletion_time: printed(START + 15_000),
            destroyed: false,
          },
        },
      },
    });
  });

  it('answers 404 for a missing secret and for the mount root', async () => {
    const kv = await kvHarness();
    await assert.rejects(kv.call('read', 'metadata/none'), NotFoundError);
    await assert.rejects(kv.call('read', 'metadata'), NotFoundError);
  });

  it('writes settings (204), keeping those not sent, before any version exists', async () => {
    const kv = await kvHarness();
    assert.deepEqual(
      await kv.write('metadata/s', {
        max_versions: 5,
        cas_required: true,
        delete_version_after: '1h30m',
        custom_metadata: { owner: 'team-a' },
      }),
      {},
    );
    await kv.write('metadata/s', { max_versions: '7' });
    const md = (await kv.call('read', 'metadata/s')).data!;
    assert.deepEqual(
      { ...md, versions: undefined },
      {
        cas_required: true,
        created_time: printed(START),
        current_version: 0,
        custom_metadata: { owner: 'team-a' },
        delete_version_after: '1h30m0s',
        max_versions: 7,
        oldest_version: 0,
        updated_time: printed(START),
        versions: undefined,
      },
    );
    assert.deepEqual(md.versions, {});
    await assert.rejects(kv.call('read', 'data/s'), NotFoundError);
    const written = await kv.write('data/s', { data: { a: 1 }, options: { cas: 0 } });
    assert.deepEqual(written.data?.custom_metadata, { owner: 'team-a' });
    assert.deepEqual((await kv.call('read', 'data/s')).data?.metadata, written.data);
  });

  it('replaces custom_metadata as a whole on write; {} clears it', async () => {
    const kv = await kvHarness();
    await kv.write('metadata/s', { custom_metadata: { a: '1', b: '2' } });
    await kv.write('metadata/s', { custom_metadata: { c: '3' } });
    assert.deepEqual((await kv.call('read', 'metadata/s')).data?.custom_metadata, { c: '3' });
    await kv.write('metadata/s', { custom_metadata: {} });
    assert.equal((await kv.call('read', 'metadata/s')).data?.custom_metadata, null);
  });

  it('refuses bad settings', async () => {
    const kv = await kvHarness();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ max_versions: -1 }, /max_versions/],
      [{ max_versions: 'many' }, /max_versions/],
      [{ max_versions: 1.5 }, /max_versions/],
      [{ cas_required: 'yes' }, /cas_required/],
      [{ delete_version_after: '-1h' }, /delete_version_after/],
      [{ delete_version_after: 'soon' }, /delete_version_after/],
      [{ custom_metadata: 'x' }, /custom_metadata/],
      [{ custom_metadata: { n: 1 } }, /must be a string/],
      [
        { custom_metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
        /at most 64 keys, provided 65/,
      ],
      [{ custom_metadata: { ['k'.repeat(129)]: 'v' } }, /is 129 but max is 128/],
      [{ custom_metadata: { k: 'v'.repeat(513) } }, /is 513 but max is 512/],
      [{ unknown: true }, /unknown field "unknown"/],
    ];
    for (const [body, message] of cases) {
      await assert.rejects(kv.write('metadata/s', body), (e: unknown) => {
        assert.ok(e instanceof InvalidFieldError, JSON.stringify(body).slice(0, 60));
        assert.match(e.message, message);
        return true;
      });
    }
    await assert.rejects(kv.call('read', 'metadata/s'), NotFoundError, 'nothing was stored');
  });

  it('accepts custom_metadata at the limits', async () => {
    const kv = await kvHarness();
    const full = Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [`${i}`.padEnd(128, 'k'), 'v'.repeat(512)]),
    );
    await kv.write('metadata/s', { custom_metadata: full });
    assert.deepEqual((await kv.call('read', 'metadata/s')).data?.custom_metadata, full);
  });

  it('refuses writes without a secret path', async () => {
    const kv = await kvHarness();
    await assert.rejects(kv.write('metadata', { max_versions: 1 }), InvalidPathError);
    await assert.rejects(kv.call('delete', 'metadata'), InvalidPathError);
  });

  describe('patch', () => {
    it('merges settings; custom_metadata key by key, null removes', async () => {
      const kv = await kvHarness();
      await kv.write('metadata/s', {
        max_versions: 3,
        cas_required: true,
        custom_metadata: { a: '1', b: '2' },
      });
      assert.deepEqual(
        await kv.patch('metadata/s', { custom_metadata: { a: null, c: '3' }, max_versions: 4 }),
        {},
      );
      let md = (await kv.call('read', 'metadata/s')).data!;
      assert.deepEqual(md.custom_metadata, { b: '2', c: '3' });
      assert.equal(md.max_versions, 4);
      assert.equal(md.cas_required, true);
      await kv.patch('metadata/s', { cas_required: null, custom_metadata: null, delete_version_after: '1m' });
      md = (await kv.call('read', 'metadata/s')).data!;
      assert.equal(md.cas_required, false);
      assert.equal(md.custom_metadata, null);
      assert.equal(md.delete_version_after, '1m0s');
      assert.equal(md.max_versions, 4);
    });

    it('validates the merged custom_metadata', async () => {
      const kv = await kvHarness();
      const many = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
      await kv.write('metadata/s', { custom_metadata: many });
      await assert.rejects(kv.patch('metadata/s', { custom_metadata: { extra: 'v' } }), /at most 64 keys/);
      await kv.patch('metadata/s', { custom_metadata: { k0: null, extra: 'v' } });
    });

    it('answers 404 for a missing secret, 415 without the merge-patch type', async () => {
      const kv = await kvHarness();
      await assert.rejects(kv.patch('metadata/none', { max_versions: 1 }), NotFoundError);
      await kv.write('metadata/s', { max_versions: 1 });
      await assert.rejects(kv.call('patch', 'metadata/s', { max_versions: 2 }), UnsupportedMediaTypeError);
    });
  });

  it('delete removes the metadata and every version, permanently', async () => {
    const kv = await kvHarness();
    for (let i = 0; i < 3; i++) await kv.write('data/a/b', { data: { i } });
    await kv.write('data/a/b/c', { data: { keep: true } });
    assert.deepEqual(await kv.call('delete', 'metadata/a/b'), {});
    await assert.rejects(kv.call('read', 'metadata/a/b'), NotFoundError);
    await assert.rejects(kv.call('read', 'data/a/b', { version: 1 }), NotFoundError);
    assert.deepEqual(await kv.storage.list('versions/a/b/'), ['c/'], 'only the nested secret remains');
    assert.deepEqual((await kv.call('read', 'data/a/b/c')).data?.data, { keep: true });
    assert.equal(
      (await kv.write('data/a/b', { data: {}, options: { cas: 0 } })).data?.version,
      1,
      'starts over',
    );
    assert.deepEqual(await kv.call('delete', 'metadata/never'), {});
  });

  it('lists one level of secrets and folders, 404 when empty', async () => {
    const kv = await kvHarness();
    await assert.rejects(kv.call('list', 'metadata'), NotFoundError);
    for (const p of ['app', 'app/db', 'app/web/tls', 'zeta']) await kv.write(`data/${p}`, { data: { x: 1 } });
    await kv.write('metadata/only-meta', { max_versions: 2 });
    const cases: [string, string[]][] = [
      ['metadata', ['app', 'app/', 'only-meta', 'zeta']],
      ['metadata/app', ['db', 'web/']],
      ['metadata/app/web', ['tls']],
    ];
    for (const [path, keys] of cases) assert.deepEqual(await kv.call('list', path), { data: { keys } }, path);
    await assert.rejects(kv.call('list', 'metadata/zeta'), NotFoundError);
    await kv.call('delete', 'metadata/app/web/tls');
    assert.deepEqual((await kv.call('list', 'metadata/app')).data?.keys, ['db']);
  });

  it('has an existence check', async () => {
    const kv = await kvHarness();
    assert.equal(await kv.backend.exists(kvRequest('update', 'metadata/s')), false);
    await kv.write('metadata/s', {});
    assert.equal(await kv.backend.exists(kvRequest('update', 'metadata/s')), true);
  });
});
