import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InvalidFieldError,
  NotFoundError,
  PreconditionFailedError,
  UnsupportedMediaTypeError,
} from '../../../sdk/index.ts';
import { kvHarness, kvRequest, printed, START } from '../test-helper.ts';

const meta = (version: number, extra: Record<string, unknown> = {}) => ({
  created_time: printed(START),
  custom_metadata: null,
  deletion_time: '',
  destroyed: false,
  version,
  ...extra,
});

describe('kv v2 data/', () => {
  it('writes a version and answers its metadata', async () => {
    const kv = await kvHarness();
    const res = await kv.write('data/app/db', { data: { password: 'p' } });
    assert.deepEqual(res, { data: meta(1) });
    assert.match(String(res.data?.created_time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it('reads the latest version or ?version=N (query strings parsed)', async () => {
    const kv = await kvHarness();
    await kv.write('data/a', { data: { v: 1 } });
    await kv.write('data/a', { data: { v: 2 } });
    assert.deepEqual(await kv.call('read', 'data/a'), { data: { data: { v: 2 }, metadata: meta(2) } });
    const cases: [Record<string, unknown>, number][] = [
      [{ version: '1' }, 1],
      [{ version: 2 }, 2],
      [{ version: '0' }, 2],
    ];
    for (const [query, v] of cases) {
      assert.deepEqual((await kv.call('read', 'data/a', query)).data, { data: { v }, metadata: meta(v) });
    }
    await assert.rejects(kv.call('read', 'data/a', { version: '3' }), NotFoundError);
    await assert.rejects(kv.call('read', 'data/a', { version: 'two' }), InvalidFieldError);
  });

  it('answers a bare 404 for a missing secret', async () => {
    const kv = await kvHarness();
    await assert.rejects(kv.call('read', 'data/missing'), NotFoundError);
  });

  it('refuses bad writes', async () => {
    const kv = await kvHarness();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /data/],
      [{ data: null }, /data/],
      [{ data: 'not json' }, /data/],
      [{ data: [1, 2] }, /data/],
      [{ data: {}, options: 5 }, /options/],
      [{ data: {}, options: { cas: 'x' } }, /cas/],
      [{ data: {}, options: { cas: -1 } }, /cas/],
      [{ data: {}, bogus: 1 }, /unknown field "bogus"/],
    ];
    for (const [body, message] of cases) {
      await assert.rejects(kv.write('data/a', body), (e: unknown) => {
        assert.ok(e instanceof InvalidFieldError, JSON.stringify(body));
        assert.match(e.message, message);
        return true;
      });
    }
    assert.deepEqual((await kv.write('data/a', { data: {} })).data, meta(1));
  });

  it('has an existence check (create vs update)', async () => {
    const kv = await kvHarness();
    assert.equal(await kv.backend.exists(kvRequest('update', 'data/a')), false);
    await kv.write('data/a', { data: { x: 1 } });
    assert.equal(await kv.backend.exists(kvRequest('update', 'data/a')), true);
  });

  describe('check-and-set', () => {
    const cases: {
      name: string;
      setup: (kv: Awaited<ReturnType<typeof kvHarness>>) => Promise<unknown>;
      cas?: unknown;
      ok: boolean;
      message?: RegExp;
    }[] = [
      { name: 'cas 0 on a new secret', setup: async () => {}, cas: 0, ok: true },
      { name: 'cas "0" as a string', setup: async () => {}, cas: '0', ok: true },
      {
        name: 'cas 0 on an existing secret',
        setup: (kv) => kv.write('data/s', { data: {} }),
        cas: 0,
        ok: false,
        message: /did not match/,
      },
      { name: 'cas 1 matching', setup: (kv) => kv.write('data/s', { data: {} }), cas: 1, ok: true },
      {
        name: 'cas 2 ahead',
        setup: (kv) => kv.write('data/s', { data: {} }),
        cas: 2,
        ok: false,
        message: /did not match/,
      },
      { name: 'cas 1 on a new secret', setup: async () => {}, cas: 1, ok: false, message: /did not match/ },
      {
        name: 'no cas when the mount requires it',
        setup: (kv) => kv.write('config', { cas_required: true }),
        ok: false,
        message: /required/,
      },
      {
        name: 'cas 0 when the mount requires it',
        setup: (kv) => kv.write('config', { cas_required: true }),
        cas: 0,
        ok: true,
      },
      {
        name: 'no cas when the secret requires it',
        setup: (kv) => kv.write('metadata/s', { cas_required: true }),
        ok: false,
        message: /required/,
      },
      {
        name: 'no cas after the secret stops requiring it',
        setup: async (kv) => {
          await kv.write('metadata/s', { cas_required: true });
          await kv.write('metadata/s', { cas_required: false });
        },
        ok: true,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const kv = await kvHarness();
        await c.setup(kv);
        const body =
          c.cas === undefined ? { data: { k: 'v' } } : { data: { k: 'v' }, options: { cas: c.cas } };
        if (c.ok) {
          await kv.write('data/s', body);
        } else {
          await assert.rejects(kv.write('data/s', body), (e: unknown) => {
            assert.ok(e instanceof PreconditionFailedError);
            assert.equal(e.status, 400);
            assert.match(e.message, c.message!);
            return true;
          });
        }
      });
    }

    it('lets exactly one of 50 concurrent writers with the same cas win', async () => {
      const kv = await kvHarness();
      await kv.write('data/race', { data: { n: 0 } });
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          kv.write('data/race', { data: { n: i + 1 }, options: { cas: 1 } }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) {
        if (r.status === 'rejected') assert.ok(r.reason instanceof PreconditionFailedError);
      }
      assert.equal((await kv.call('read', 'metadata/race')).data?.current_version, 2);
    });

    it('loses no update among 50 concurrent writers without cas', async () => {
      const kv = await kvHarness();
      await kv.write('config', { max_versions: 100 });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => kv.write('data/many', { data: { i } })),
      );
      const versions = results.map((r) => r.data?.version).sort((a, b) => Number(a) - Number(b));
      assert.deepEqual(
        versions,
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      assert.equal(Object.keys((await kv.call('read', 'metadata/many')).data?.versions as object).length, 50);
    });
  });

  describe('patch', () => {
    it('merges into the latest version as a new version (RFC 7386)', async () => {
      const kv = await kvHarness();
      await kv.write('data/p', { data: { a: 1, b: { c: 2, d: 3 }, e: [1, 2], f: 'keep' } });
      kv.clock.advance(1);
      const res = await kv.patch('data/p', {
        data: { a: null, b: { c: 20, d: null, x: 'new' }, e: [3], g: { h: 1 } },
      });
      assert.deepEqual(res.data, meta(2, { created_time: printed(START + 1000) }));
      assert.deepEqual((await kv.call('read', 'data/p')).data?.data, {
        b: { c: 20, x: 'new' },
        e: [3],
        f: 'keep',
        g: { h: 1 },
      });
      assert.deepEqual((await kv.call('read', 'data/p', { version: 1 })).data?.data, {
        a: 1,
        b: { c: 2, d: 3 },
        e: [1, 2],
        f: 'keep',
      });
    });

    it('requires the merge-patch content type (415 otherwise)', async () => {
      const kv = await kvHarness();
      await kv.write('data/p', { data: { a: 1 } });
      for (const contentType of [undefined, 'application/json', 'text/plain']) {
        const extra = contentType === undefined ? {} : { contentType };
        await assert.rejects(kv.call('patch', 'data/p', { data: { a: 2 } }, extra), (e: unknown) => {
          assert.ok(e instanceof UnsupportedMediaTypeError);
          assert.equal(e.status, 415);
          return true;
        });
      }
      const ok = await kv.call(
        'patch',
        'data/p',
        { data: { a: 2 } },
        {
          contentType: 'application/merge-patch+json; charset=utf-8',
        },
      );
      assert.equal(ok.data?.version, 2);
    });

    it('answers 404 for a missing, deleted or destroyed latest version', async () => {
      const kv = await kvHarness();
      await assert.rejects(kv.patch('data/none', { data: { a: 1 } }), NotFoundError);
      await kv.write('metadata/meta-only', { max_versions: 3 });
      await assert.rejects(kv.patch('data/meta-only', { data: { a: 1 } }), NotFoundError);
      await kv.write('data/del', { data: { a: 1 } });
      await kv.call('delete', 'data/del');
      await assert.rejects(kv.patch('data/del', { data: { a: 2 } }), NotFoundError);
      await kv.write('data/gone', { data: { a: 1 } });
      await kv.write('destroy/gone', { versions: [1] });
      await assert.rejects(kv.patch('data/gone', { data: { a: 2 } }), NotFoundError);
    });

    it('honours options.cas and cas_required, and needs data', async () => {
      const kv = await kvHarness();
      await kv.write('data/p', { data: { a: 1 } });
      await assert.rejects(
        kv.patch('data/p', { data: { a: 2 }, options: { cas: 5 } }),
        PreconditionFailedError,
      );
      assert.equal((await kv.patch('data/p', { data: { a: 2 }, options: { cas: 1 } })).data?.version, 2);
      await kv.write('metadata/p', { cas_required: true });
      await assert.rejects(kv.patch('data/p', { data: { a: 3 } }), /check-and-set parameter required/);
      await assert.rejects(kv.patch('data/p', {}), InvalidFieldError);
    });
  });

  describe('delete (latest version)', () => {
    it('soft-deletes the latest version: 404 with its metadata, data null', async () => {
      const kv = await kvHarness();
      await kv.write('data/d', { data: { a: 1 } });
      await kv.write('data/d', { data: { a: 2 } });
      kv.clock.advance(60);
      assert.deepEqual(await kv.call('delete', 'data/d'), {});
      assert.deepEqual(await kv.call('read', 'data/d'), {
        status: 404,
        data: { data: null, metadata: meta(2, { deletion_time: printed(START + 60_000) }) },
      });
      assert.deepEqual((await kv.call('read', 'data/d', { version: 1 })).data?.data, { a: 1 });
      kv.clock.advance(60);
      await kv.call('delete', 'data/d');
      const versions = (await kv.call('read', 'metadata/d')).data?.versions as Record<
        string,
        { deletion_time: string }
      >;
      assert.equal(
        versions['2']?.deletion_time,
        printed(START + 60_000),
        'a second delete keeps the first time',
      );
    });

    it('is a no-op (204) for a missing secret', async () => {
      const kv = await kvHarness();
      assert.deepEqual(await kv.call('delete', 'data/none'), {});
    });

    it('a write after delete makes a new readable version', async () => {
      const kv = await kvHarness();
      await kv.write('data/d', { data: { a: 1 } });
      await kv.call('delete', 'data/d');
      assert.equal((await kv.write('data/d', { data: { a: 2 } })).data?.version, 2);
      assert.deepEqual((await kv.call('read', 'data/d')).data?.data, { a: 2 });
    });
  });

  describe('max_versions pruning', () => {
    const cases: {
      name: string;
      config?: number;
      secret?: number;
      writes: number;
      kept: number[];
      oldest: number;
    }[] = [
      { name: 'default 10', writes: 12, kept: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12], oldest: 3 },
      { name: 'exactly at the default', writes: 10, kept: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], oldest: 0 },
      { name: 'mount config 3', config: 3, writes: 5, kept: [3, 4, 5], oldest: 3 },
      { name: 'secret metadata 2 over config 3', config: 3, secret: 2, writes: 5, kept: [4, 5], oldest: 4 },
      {
        name: 'secret metadata 4 over config 2',
        config: 2,
        secret: 4,
        writes: 5,
        kept: [2, 3, 4, 5],
        oldest: 2,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const kv = await kvHarness();
        if (c.config !== undefined) await kv.write('config', { max_versions: c.config });
        if (c.secret !== undefined) await kv.write('metadata/m', { max_versions: c.secret });
        for (let i = 1; i <= c.writes; i++) await kv.write('data/m', { data: { i } });
        const md = (await kv.call('read', 'metadata/m')).data!;
        assert.deepEqual(Object.keys(md.versions as object).map(Number), c.kept);
        assert.equal(md.oldest_version, c.oldest);
        assert.equal(md.current_version, c.writes);
        const pruned = c.kept[0]! - 1;
        if (pruned > 0) {
          await assert.rejects(kv.call('read', 'data/m', { version: pruned }), NotFoundError);
          assert.equal(await kv.storage.get(`versions/m/${pruned}`), undefined, 'pruned data is gone');
        }
        assert.deepEqual((await kv.call('read', 'data/m', { version: c.kept[0] })).data?.data, {
          i: c.kept[0],
        });
      });
    }

    it('lowering max_versions prunes several versions at the next write', async () => {
      const kv = await kvHarness();
      for (let i = 1; i <= 6; i++) await kv.write('data/m', { data: { i } });
      await kv.write('metadata/m', { max_versions: 2 });
      await kv.write('data/m', { data: { i: 7 } });
      const md = (await kv.call('read', 'metadata/m')).data!;
      assert.deepEqual(Object.keys(md.versions as object), ['6', '7']);
      assert.equal(md.oldest_version, 6);
      assert.deepEqual(await kv.storage.list('versions/m/'), ['6', '7']);
    });
  });

  describe('delete_version_after (injected clock)', () => {
    it('a version reads as deleted once created + duration has passed', async () => {
      const kv = await kvHarness();
      await kv.write('config', { delete_version_after: '1h' });
      const written = await kv.write('data/t', { data: { a: 1 } });
      const deletion = printed(START + 3600_000);
      assert.equal(written.data?.deletion_time, deletion);
      kv.clock.advance(3599);
      assert.deepEqual((await kv.call('read', 'data/t')).data?.data, { a: 1 });
      kv.clock.advance(1);
      assert.deepEqual(await kv.call('read', 'data/t'), {
        status: 404,
        data: { data: null, metadata: meta(1, { deletion_time: deletion }) },
      });
    });

    const cases: { name: string; config?: string; secret?: string; expectSecs: number | undefined }[] = [
      { name: 'secret setting alone', secret: '30m', expectSecs: 1800 },
      { name: 'shorter secret setting wins', config: '1h', secret: '10m', expectSecs: 600 },
      { name: 'shorter mount setting wins', config: '10m', secret: '1h', expectSecs: 600 },
      { name: 'negative mount setting disables', config: '-1s', secret: '10m', expectSecs: undefined },
      { name: 'zero is none', config: '0s', expectSecs: undefined },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const kv = await kvHarness();
        if (c.config) await kv.write('config', { delete_version_after: c.config });
        if (c.secret) await kv.write('metadata/t', { delete_version_after: c.secret });
        const res = await kv.write('data/t', { data: { a: 1 } });
        assert.equal(
          res.data?.deletion_time,
          c.expectSecs === undefined ? '' : printed(START + c.expectSecs * 1000),
        );
      });
    }

    it('undelete clears a scheduled deletion', async () => {
      const kv = await kvHarness();
      await kv.write('metadata/t', { delete_version_after: '1m' });
      await kv.write('data/t', { data: { a: 1 } });
      kv.clock.advance(120);
      assert.equal((await kv.call('read', 'data/t')).status, 404);
      await kv.write('undelete/t', { versions: [1] });
      assert.deepEqual((await kv.call('read', 'data/t')).data?.data, { a: 1 });
    });
  });

  it('never puts a secret value in a storage key', async () => {
    const kv = await kvHarness();
    await kv.write('data/app/db', { data: { 'key-sentinel': 'value-sentinel' } });
    await kv.patch('data/app/db', { data: { 'k2-sentinel': 'v2-sentinel' } });
    for (const key of await kv.storage.listAll()) {
      assert.doesNotMatch(key, /sentinel/);
    }
  });
});
