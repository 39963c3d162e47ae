import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Storage } from './storage.ts';

/** What a backend's test file hands the suite: a fresh, empty storage per case. */
export type MakeStorage = () => Promise<{ storage: Storage; cleanup(): Promise<void> }>;

/**
 * The cases every Storage implementation must pass (see the contract in ./storage.ts). A backend's
 * test file calls `storageConformance('sqlite', make)`; each case gets a fresh storage from `make`,
 * which the suite closes (unless the case did) before calling `cleanup`.
 */
export function storageConformance(name: string, make: MakeStorage): void {
  /** Runs `fn` on a fresh storage, then closes it and cleans up. */
  const withStorage = (fn: (s: Storage) => Promise<void>) => async () => {
    const { storage, cleanup } = await make();
    let closed = false;
    const tracked: Storage = {
      get: (key) => storage.get(key),
      put: (key, value) => storage.put(key, value),
      delete: (key) => storage.delete(key),
      list: (prefix) => storage.list(prefix),
      batch: (ops) => storage.batch(ops),
      close: () => {
        closed = true;
        return storage.close();
      },
    };
    try {
      await fn(tracked);
    } finally {
      if (!closed) await storage.close();
      await cleanup();
    }
  };
  const put = async (s: Storage, entries: Record<string, string>) => {
    for (const [k, v] of Object.entries(entries)) await s.put(k, Buffer.from(v));
  };
  const text = async (s: Storage, key: string) => (await s.get(key))?.toString('utf8');

  describe(`storage conformance: ${name}`, () => {
    describe('get/put/delete', () => {
      it(
        'get of a missing key is undefined',
        withStorage(async (s) => {
          assert.equal(await s.get('missing'), undefined);
          assert.equal(await s.get('a/b/c'), undefined);
        }),
      );

      it(
        'round-trips binary values',
        withStorage(async (s) => {
          const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
          const big = Buffer.alloc(1024 * 1024);
          for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
          const cases: Record<string, Buffer> = {
            empty: Buffer.alloc(0),
            one: Buffer.from([0]),
            all256: all,
            nul: Buffer.from('a\0b\0', 'latin1'),
            big,
          };
          for (const [k, v] of Object.entries(cases)) await s.put(k, v);
          for (const [k, v] of Object.entries(cases)) {
            const got = await s.get(k);
            assert.ok(Buffer.isBuffer(got), `${k}: expected a Buffer`);
            assert.ok(got.equals(v), `${k}: value differs`);
          }
        }),
      );

      it(
        'stores only the bytes of a view, not its whole ArrayBuffer',
        withStorage(async (s) => {
          const backing = Buffer.from('0123456789abcdefghij');
          await s.put('view', backing.subarray(5, 10));
          assert.equal(await text(s, 'view'), '56789');
          await s.put('u8', new Uint8Array(backing.buffer, backing.byteOffset + 2, 3) as Buffer);
          assert.equal(await text(s, 'u8'), '234');
        }),
      );

      it(
        'overwrites',
        withStorage(async (s) => {
          await s.put('k', Buffer.from('one'));
          await s.put('k', Buffer.from('two'));
          assert.equal(await text(s, 'k'), 'two');
          await s.put('k', Buffer.alloc(0));
          assert.equal((await s.get('k'))?.length, 0);
          assert.deepEqual(await s.list(''), ['k']);
        }),
      );

      it(
        'deletes, and deleting a missing key is fine',
        withStorage(async (s) => {
          await put(s, { k: 'v', 'a/b': 'v' });
          await s.delete('k');
          assert.equal(await s.get('k'), undefined);
          await s.delete('k');
          await s.delete('never/existed');
          await s.delete('a');
          assert.equal(await text(s, 'a/b'), 'v');
          assert.deepEqual(await s.list(''), ['a/']);
          await s.delete('a/b');
          assert.deepEqual(await s.list(''), []);
          assert.deepEqual(await s.list('a/'), []);
        }),
      );

      it(
        'keys with spaces, unicode and special characters',
        withStorage(async (s) => {
          const keys = [
            'with space',
            'per%cent',
            '%2F',
            'ünïcødé',
            '日本語',
            'emoji😀',
            'q?x=1&y',
            'tab\there',
          ];
          for (const [i, k] of keys.entries()) await s.put(`d/${k}`, Buffer.from(String(i)));
          for (const [i, k] of keys.entries()) assert.equal(await text(s, `d/${k}`), String(i));
          assert.deepEqual(await s.list('d/'), [...keys].sort());
          await s.put('d/with space/inner', Buffer.from('x'));
          assert.deepEqual(await s.list('d/with space/'), ['inner']);
        }),
      );
    });

    describe('returned and given buffers are copies', () => {
      it(
        'mutating a returned buffer does not change stored data',
        withStorage(async (s) => {
          await s.put('k', Buffer.from('secret'));
          const got = await s.get('k');
          assert.ok(got);
          got.fill(0);
          assert.equal(await text(s, 'k'), 'secret');
        }),
      );

      it(
        'mutating the given buffer after put does not change stored data',
        withStorage(async (s) => {
          const v = Buffer.from('before');
          const pending = s.put('k', v);
          v.write('AFTER!');
          await pending;
          v.write('later!');
          assert.equal(await text(s, 'k'), 'before');
          const b = Buffer.from('batch');
          const batched = s.batch([{ op: 'put', key: 'b', value: b }]);
          b.fill(0);
          await batched;
          assert.equal(await text(s, 'b'), 'batch');
        }),
      );
    });

    describe('list', () => {
      it(
        'lists one level: keys and folders, sorted, each once',
        withStorage(async (s) => {
          await put(s, {
            'z/1': '',
            b: '',
            'a/x': '',
            'a/y/1': '',
            'a/y/2': '',
            'a/y/z/3': '',
            c: '',
            'a/w': '',
          });
          assert.deepEqual(await s.list(''), ['a/', 'b', 'c', 'z/']);
          assert.deepEqual(await s.list('a/'), ['w', 'x', 'y/']);
          assert.deepEqual(await s.list('a/y/'), ['1', '2', 'z/']);
          assert.deepEqual(await s.list('a/y/z/'), ['3']);
        }),
      );

      it(
        'an empty storage and a prefix that is not a folder list nothing',
        withStorage(async (s) => {
          assert.deepEqual(await s.list(''), []);
          await put(s, { 'a/b': 'v', ab: 'v' });
          assert.deepEqual(await s.list('nope/'), []);
          assert.deepEqual(await s.list('a/b/'), []);
          assert.deepEqual(await s.list('b/'), []);
        }),
      );

      it(
        'keys that are prefixes of one another (a, a/b, ab)',
        withStorage(async (s) => {
          await put(s, { a: '1', 'a/b': '2', ab: '3', 'a/b/c': '4', 'a.': '5', a0: '6' });
          assert.deepEqual(await s.list(''), ['a', 'a.', 'a/', 'a0', 'ab']);
          assert.deepEqual(await s.list('a/'), ['b', 'b/']);
          assert.deepEqual(await s.list('a/b/'), ['c']);
          assert.equal(await text(s, 'a'), '1');
          assert.equal(await text(s, 'a/b'), '2');
          assert.equal(await text(s, 'ab'), '3');
        }),
      );

      it(
        'sorts by UTF-16 code unit, as JavaScript does',
        withStorage(async (s) => {
          // U+1F600 is a surrogate pair (0xD83D…), which sorts before U+FFFD by code unit but after it
          // by code point (and in UTF-8 byte order).
          const keys = ['\uFFFD', '😀', 'Z', 'a', 'é', '\u00FF/x'];
          for (const k of keys) await s.put(k, Buffer.from('v'));
          assert.deepEqual(await s.list(''), ['Z', 'a', 'é', 'ÿ/', '😀', '\uFFFD']);
        }),
      );

      it(
        'lists a folder with many children and many descendants',
        withStorage(async (s) => {
          const ops = [];
          for (let i = 0; i < 300; i++)
            ops.push({ op: 'put' as const, key: `f/k${i}`, value: Buffer.from('v') });
          for (let i = 0; i < 300; i++)
            ops.push({ op: 'put' as const, key: `f/sub/${i}`, value: Buffer.from('v') });
          await s.batch(ops);
          const want = [...Array.from({ length: 300 }, (_, i) => `k${i}`), 'sub/'].sort();
          assert.deepEqual(await s.list('f/'), want);
        }),
      );
    });

    describe('batch', () => {
      it(
        'applies all puts and deletes',
        withStorage(async (s) => {
          await put(s, { gone: 'x', keep: 'y', 'dir/gone': 'z' });
          await s.batch([
            { op: 'put', key: 'new', value: Buffer.from('1') },
            { op: 'delete', key: 'gone' },
            { op: 'put', key: 'dir/new', value: Buffer.from('2') },
            { op: 'delete', key: 'dir/gone' },
            { op: 'delete', key: 'never-existed' },
            { op: 'put', key: 'keep', value: Buffer.from('3') },
          ]);
          assert.deepEqual(await s.list(''), ['dir/', 'keep', 'new']);
          assert.deepEqual(await s.list('dir/'), ['new']);
          assert.equal(await text(s, 'keep'), '3');
          assert.equal(await text(s, 'new'), '1');
          assert.equal(await text(s, 'dir/new'), '2');
        }),
      );

      it(
        'applies ops in order',
        withStorage(async (s) => {
          await s.batch([
            { op: 'put', key: 'a', value: Buffer.from('1') },
            { op: 'delete', key: 'a' },
            { op: 'delete', key: 'b' },
            { op: 'put', key: 'b', value: Buffer.from('2') },
            { op: 'put', key: 'c', value: Buffer.from('3') },
            { op: 'put', key: 'c', value: Buffer.from('4') },
          ]);
          assert.equal(await s.get('a'), undefined);
          assert.equal(await text(s, 'b'), '2');
          assert.equal(await text(s, 'c'), '4');
        }),
      );

      it(
        'an empty batch is fine',
        withStorage(async (s) => {
          await s.batch([]);
          assert.deepEqual(await s.list(''), []);
        }),
      );
    });

    describe('concurrency', () => {
      it(
        '500 concurrent puts to different keys all land',
        withStorage(async (s) => {
          const keys = Array.from({ length: 500 }, (_, i) => `c/${String(i).padStart(3, '0')}`);
          await Promise.all(keys.map((k) => s.put(k, Buffer.from(k))));
          assert.deepEqual(await s.list('c/'), keys.map((k) => k.slice(2)).sort());
          const values = await Promise.all(keys.map((k) => text(s, k)));
          assert.deepEqual(values, keys);
        }),
      );

      it(
        'concurrent writes to one key keep call order',
        withStorage(async (s) => {
          await Promise.all([
            s.put('k', Buffer.from('1')),
            s.delete('k'),
            s.put('k', Buffer.from('2')),
            s.batch([{ op: 'put', key: 'k', value: Buffer.from('3') }]),
          ]);
          assert.equal(await text(s, 'k'), '3');
        }),
      );

      it(
        'a read issued after a write resolved sees it',
        withStorage(async (s) => {
          for (let i = 0; i < 50; i++) {
            await s.put('k', Buffer.from(String(i)));
            assert.equal(await text(s, 'k'), String(i));
          }
          await s.delete('k');
          assert.equal(await s.get('k'), undefined);
        }),
      );
    });

    describe('close', () => {
      it(
        'close resolves and settles writes issued before it',
        withStorage(async (s) => {
          const writes = [s.put('a', Buffer.from('1')), s.batch([{ op: 'delete', key: 'b' }]), s.delete('c')];
          await s.close();
          await Promise.all(writes);
        }),
      );
    });
  });
}
