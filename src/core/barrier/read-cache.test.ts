import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { Barrier } from './barrier.ts';
import { ReadCache } from './read-cache.ts';

/** Physical storage that counts reads and can hold a read until released. */
class CountingStorage extends InmemStorage {
  gets = 0;
  hold: Promise<void> | undefined;
  override async get(key: string): Promise<Buffer | undefined> {
    this.gets++;
    const value = await super.get(key);
    if (this.hold) await this.hold;
    return value;
  }
}

async function cachedBarrier(cache = {}) {
  const physical = new CountingStorage();
  const barrier = new Barrier(physical, { cache });
  const rootKey = randomBytes(32);
  await barrier.initialize(rootKey);
  await barrier.unseal(rootKey);
  physical.gets = 0;
  return { physical, barrier };
}

describe('ReadCache', () => {
  it('evicts the least recently used entry past maxEntries', () => {
    const c = new ReadCache({ maxEntries: 2 });
    c.set('a', Buffer.from('1'), c.generation);
    c.set('b', Buffer.from('2'), c.generation);
    assert.deepEqual(c.get('a'), Buffer.from('1')); // a is now the most recent
    c.set('c', Buffer.from('3'), c.generation);
    assert.equal(c.get('b'), undefined);
    assert.deepEqual(c.get('a'), Buffer.from('1'));
    assert.deepEqual(c.get('c'), Buffer.from('3'));
  });

  it('a read spares an entry for one round of eviction, not for good', () => {
    const c = new ReadCache({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c']) c.set(k, Buffer.from(k), c.generation);
    assert.deepEqual(c.get('a'), Buffer.from('a'));
    c.set('d', Buffer.from('d'), c.generation); // a is passed over (moves behind d), b goes
    c.set('e', Buffer.from('e'), c.generation); // c goes
    c.set('f', Buffer.from('f'), c.generation); // d goes
    c.set('g', Buffer.from('g'), c.generation); // a, not read again since, goes
    assert.equal(c.size, 3);
    for (const k of ['a', 'b', 'c', 'd']) assert.equal(c.get(k), undefined, k);
    for (const k of ['e', 'f', 'g']) assert.deepEqual(c.get(k), Buffer.from(k));
  });

  it('stays within maxBytes and skips values over 64 KiB', () => {
    const c = new ReadCache({ maxBytes: 10_000 });
    for (let i = 0; i < 20; i++) c.set(`k${i}`, Buffer.alloc(1000, i), c.generation);
    assert.ok(c.bytes <= 10_000, `${c.bytes} bytes`);
    assert.ok(c.size >= 8 && c.size < 20, `${c.size} entries`);
    c.set('big', Buffer.alloc(65 * 1024), c.generation);
    assert.equal(c.get('big'), undefined);
  });

  it('refuses a value read before a write of the same key, and hands out copies', () => {
    const c = new ReadCache();
    const generation = c.generation;
    c.invalidate('other');
    c.set('other', Buffer.from('old'), generation);
    assert.equal(c.get('other'), undefined);
    // A write of another key does not stop a read from being cached.
    c.set('k', Buffer.from('k'), generation);
    assert.deepEqual(c.get('k'), Buffer.from('k'));
    c.invalidate('k');
    const value = Buffer.from('value');
    c.set('k', value, c.generation);
    value.fill(0);
    const out = c.get('k')!;
    out.fill(0);
    assert.deepEqual(c.get('k'), Buffer.from('value'));
  });

  it('clear() empties it', () => {
    const c = new ReadCache();
    c.set('k', Buffer.from('secret'), c.generation);
    assert.deepEqual(c.get('k'), Buffer.from('secret'));
    const generation = c.generation;
    c.clear();
    assert.notEqual(c.generation, generation);
    assert.equal(c.size, 0);
    assert.equal(c.bytes, 0);
    assert.equal(c.get('k'), undefined);
  });
});

describe('Barrier read cache', () => {
  it('remembers that a key is absent until it is written', async () => {
    const { physical, barrier } = await cachedBarrier();
    assert.equal(await barrier.get('none'), undefined);
    assert.equal(await barrier.get('none'), undefined);
    assert.equal(physical.gets, 1);
    await barrier.put('none', Buffer.from('now'));
    assert.deepEqual(await barrier.get('none'), Buffer.from('now'));
  });

  it('a second read of a key does not reach physical storage', async () => {
    const { physical, barrier } = await cachedBarrier();
    await barrier.put('a', Buffer.from('one'));
    assert.deepEqual(await barrier.get('a'), Buffer.from('one'));
    assert.deepEqual(await barrier.get('a'), Buffer.from('one'));
    assert.equal(physical.gets, 1);
    assert.deepEqual(barrier.cacheStats()?.entries, 1);
  });

  it('put, delete and batch drop the cached value', async () => {
    const { barrier } = await cachedBarrier();
    await barrier.put('a', Buffer.from('one'));
    await barrier.get('a');
    await barrier.put('a', Buffer.from('two'));
    assert.deepEqual(await barrier.get('a'), Buffer.from('two'));
    await barrier.batch([{ op: 'put', key: 'a', value: Buffer.from('three') }]);
    assert.deepEqual(await barrier.get('a'), Buffer.from('three'));
    await barrier.batch([{ op: 'delete', key: 'a' }]);
    assert.equal(await barrier.get('a'), undefined);
    await barrier.put('a', Buffer.from('four'));
    await barrier.get('a');
    await barrier.delete('a');
    assert.equal(await barrier.get('a'), undefined);
  });

  it('a read that raced a write never caches the old value', async () => {
    const { physical, barrier } = await cachedBarrier();
    await barrier.put('a', Buffer.from('old'));
    let release!: () => void;
    physical.hold = new Promise((r) => {
      release = r;
    });
    const slowRead = barrier.get('a'); // reads 'old', then waits
    await new Promise((r) => setImmediate(r));
    physical.hold = undefined;
    await barrier.put('a', Buffer.from('new'));
    release();
    assert.deepEqual(await slowRead, Buffer.from('old'));
    assert.deepEqual(await barrier.get('a'), Buffer.from('new'));
  });

  it('seal() empties the cache; reads after unseal come from storage again', async () => {
    const physical = new CountingStorage();
    const barrier = new Barrier(physical);
    const rootKey = randomBytes(32);
    await barrier.initialize(rootKey);
    await barrier.unseal(rootKey);
    await barrier.put('a', Buffer.from('one'));
    await barrier.get('a');
    barrier.seal();
    assert.equal(barrier.cacheStats()?.entries, 0);
    await barrier.unseal(rootKey);
    physical.gets = 0;
    assert.deepEqual(await barrier.get('a'), Buffer.from('one'));
    assert.equal(physical.gets, 1);
  });

  it('a caller editing the value it read does not change the next read', async () => {
    const { barrier } = await cachedBarrier();
    await barrier.put('a', Buffer.from('one'));
    (await barrier.get('a'))!.fill(0);
    (await barrier.get('a'))!.fill(0);
    assert.deepEqual(await barrier.get('a'), Buffer.from('one'));
  });

  it('cache: false reads storage every time', async () => {
    const physical = new CountingStorage();
    const barrier = new Barrier(physical, { cache: false });
    const rootKey = randomBytes(32);
    await barrier.initialize(rootKey);
    await barrier.unseal(rootKey);
    await barrier.put('a', Buffer.from('one'));
    physical.gets = 0;
    await barrier.get('a');
    await barrier.get('a');
    assert.equal(physical.gets, 2);
    assert.equal(barrier.cacheStats(), undefined);
  });

  it('keeps a parsed value only beside the same bytes, and drops it with the entry', () => {
    const cache = new ReadCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const raw = Buffer.from('{"a":1}');
    cache.set('k', raw, cache.generation);
    const parsed = Object.freeze({ a: 1 });
    cache.attachParsed('k', Buffer.from('{"a":2}'), { a: 2 });
    assert.equal(cache.parsed('k'), undefined, 'different bytes: not attached');
    const bytesBefore = cache.bytes;
    cache.attachParsed('k', Buffer.from(raw), parsed);
    assert.equal(cache.parsed('k'), parsed);
    assert.ok(cache.bytes > bytesBefore, 'the parse is counted');
    cache.invalidate('k');
    assert.equal(cache.parsed('k'), undefined);
    assert.equal(cache.bytes, 0);
    cache.attachParsed('absent', raw, parsed);
    assert.equal(cache.parsed('absent'), undefined, 'nothing cached: nothing attached');
  });

  describe('writes', () => {
    it('a secret written over is read back from memory, with the new value', async () => {
      const { physical, barrier } = await cachedBarrier();
      await barrier.put('kv/a', Buffer.from('one'));
      assert.deepEqual(await barrier.get('kv/a'), Buffer.from('one'));
      assert.equal(physical.gets, 1, 'first read goes to storage');
      const written = Buffer.from('two');
      await barrier.put('kv/a', written);
      written.fill(0); // the cache holds its own copy
      assert.deepEqual(await barrier.get('kv/a'), Buffer.from('two'));
      await barrier.batch([{ op: 'put', key: 'kv/a', value: Buffer.from('three') }]);
      assert.deepEqual(await barrier.get('kv/a'), Buffer.from('three'));
      assert.equal(physical.gets, 1, 'both reads after the writes were served from memory');
    });

    it('a write never adds a key, and a delete or a failed write leaves nothing cached', async () => {
      const { physical, barrier } = await cachedBarrier();
      await barrier.put('kv/new', Buffer.from('v'));
      assert.deepEqual(await barrier.get('kv/new'), Buffer.from('v'));
      assert.equal(physical.gets, 1, 'not cached by its write');
      await barrier.delete('kv/new');
      assert.equal(await barrier.get('kv/new'), undefined);
      assert.equal(physical.gets, 2, 'the delete dropped it');
      await barrier.put('kv/b', Buffer.from('b1'));
      await barrier.get('kv/b');
      const put = physical.put.bind(physical);
      physical.put = async () => {
        throw new Error('disk full');
      };
      await assert.rejects(barrier.put('kv/b', Buffer.from('b2')), /disk full/);
      physical.put = put;
      const before = physical.gets;
      assert.deepEqual(await barrier.get('kv/b'), Buffer.from('b1'));
      assert.equal(physical.gets, before + 1, 'after a failed write the key is read from storage');
    });

    it('overlapping writes that end out of order leave the key uncached', () => {
      const c = new ReadCache();
      c.set('k', Buffer.from('0'), c.generation);
      const first = c.beginWrite('k');
      const second = c.beginWrite('k');
      assert.ok(first > 0, 'the key held a value');
      c.endWrite('k', second, Buffer.from('2'));
      assert.equal(c.get('k'), undefined, 'another write still in flight');
      c.endWrite('k', first, Buffer.from('1'));
      assert.equal(c.get('k'), undefined, 'the write that ended last began first: nothing cached');
      const third = c.beginWrite('k');
      c.endWrite('k', third, Buffer.from('3'));
      assert.equal(c.get('k'), undefined, 'not cached before this write: not added');
    });

    it('concurrent writes of one key: a read after them sees the last one', async () => {
      const { physical, barrier } = await cachedBarrier();
      await barrier.put('kv/c', Buffer.from('0'));
      await barrier.get('kv/c');
      await Promise.all(['1', '2', '3'].map((v) => barrier.put('kv/c', Buffer.from(v))));
      assert.deepEqual(await physical.get('kv/c').then((b) => b !== undefined), true);
      assert.deepEqual(await barrier.get('kv/c'), Buffer.from('3'));
    });
  });
});
