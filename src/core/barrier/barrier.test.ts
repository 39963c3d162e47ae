import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  BadRequestError,
  IntegrityError,
  InvalidPathError,
  NotInitializedError,
  SealedError,
} from '../../sdk/errors.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { Barrier, inspectKeyBuffers, KEYRING_PATH } from './barrier.ts';

async function unsealedBarrier() {
  const physical = new InmemStorage();
  const barrier = new Barrier(physical);
  const rootKey = randomBytes(32);
  await barrier.initialize(rootKey);
  await barrier.unseal(rootKey);
  return { physical, barrier, rootKey };
}

/** Every stored byte, for "the secret never appears" checks. */
async function allPhysicalBytes(physical: InmemStorage, prefix = ''): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const name of await physical.list(prefix)) {
    if (name.endsWith('/')) parts.push(await allPhysicalBytes(physical, prefix + name));
    else parts.push((await physical.get(prefix + name))!);
  }
  return Buffer.concat(parts);
}

describe('Barrier', () => {
  it('starts sealed and uninitialized; initialize leaves it sealed', async () => {
    const physical = new InmemStorage();
    const barrier = new Barrier(physical);
    assert.equal(barrier.sealed, true);
    assert.equal(await barrier.isInitialized(), false);
    await assert.rejects(barrier.unseal(randomBytes(32)), NotInitializedError);
    const rootKey = randomBytes(32);
    await barrier.initialize(rootKey);
    assert.equal(await barrier.isInitialized(), true);
    assert.equal(barrier.sealed, true);
    await assert.rejects(barrier.initialize(rootKey), BadRequestError);
    await barrier.unseal(rootKey);
    assert.equal(barrier.sealed, false);
  });

  it('round trips values, lists and deletes', async () => {
    const { barrier } = await unsealedBarrier();
    assert.equal(await barrier.get('a/b'), undefined);
    await barrier.put('a/b', Buffer.from('hello'));
    await barrier.put('a/c/d', Buffer.alloc(0));
    assert.deepEqual(await barrier.get('a/b'), Buffer.from('hello'));
    assert.deepEqual(await barrier.get('a/c/d'), Buffer.alloc(0));
    assert.deepEqual(await barrier.list('a/'), ['b', 'c/']);
    await barrier.delete('a/b');
    assert.equal(await barrier.get('a/b'), undefined);
    await barrier.batch([
      { op: 'put', key: 'x', value: Buffer.from('1') },
      { op: 'delete', key: 'a/c/d' },
    ]);
    assert.deepEqual(await barrier.get('x'), Buffer.from('1'));
    assert.equal(await barrier.get('a/c/d'), undefined);
  });

  it('writes [term u32][version 1][nonce 12][ciphertext][tag 16]', async () => {
    const { physical, barrier } = await unsealedBarrier();
    const value = Buffer.from('the quick brown fox');
    await barrier.put('k', value);
    const blob = (await physical.get('k'))!;
    assert.equal(blob.length, 4 + 1 + 12 + value.length + 16);
    assert.equal(blob.readUInt32BE(0), 1);
    assert.equal(blob[4], 1);
  });

  it('uses a fresh nonce per write', async () => {
    const { physical, barrier } = await unsealedBarrier();
    await barrier.put('k1', Buffer.from('same'));
    await barrier.put('k2', Buffer.from('same'));
    const one = (await physical.get('k1'))!;
    await barrier.put('k1', Buffer.from('same'));
    const again = (await physical.get('k1'))!;
    const other = (await physical.get('k2'))!;
    assert.notDeepEqual(one.subarray(5, 17), again.subarray(5, 17));
    assert.notDeepEqual(one, again);
    assert.notDeepEqual(one.subarray(5), other.subarray(5));
  });

  it('a flipped bit anywhere in the blob is an IntegrityError', async () => {
    const { physical, barrier } = await unsealedBarrier();
    await barrier.put('k', Buffer.from('secret value'));
    const blob = (await physical.get('k'))!;
    for (let i = 0; i < blob.length; i++) {
      const tampered = Buffer.from(blob);
      tampered[i]! ^= 0x01;
      await physical.put('k', tampered);
      await assert.rejects(barrier.get('k'), (err: unknown) => {
        assert.ok(err instanceof IntegrityError, `byte ${i}`);
        assert.equal(err.message, 'integrity check failed for a stored value');
        assert.deepEqual(err.details, { path: 'k' });
        return true;
      });
    }
  });

  const mangled: Array<[string, (b: Buffer) => Buffer]> = [
    ['truncated by one byte', (b) => b.subarray(0, b.length - 1)],
    ['truncated to the header', (b) => b.subarray(0, 17)],
    ['empty', () => Buffer.alloc(0)],
    ['extended by one byte', (b) => Buffer.concat([b, Buffer.alloc(1)])],
    ['of an unknown term', (b) => Buffer.concat([Buffer.from([0, 0, 0, 9]), b.subarray(4)])],
    ['of an unknown version', (b) => Buffer.concat([b.subarray(0, 4), Buffer.from([2]), b.subarray(5)])],
  ];
  for (const [name, mangle] of mangled) {
    it(`a blob ${name} is an IntegrityError`, async () => {
      const { physical, barrier } = await unsealedBarrier();
      await barrier.put('k', Buffer.from('secret value'));
      await physical.put('k', mangle((await physical.get('k'))!));
      await assert.rejects(barrier.get('k'), IntegrityError);
    });
  }

  it('a value copied to another path is an IntegrityError', async () => {
    const { physical, barrier } = await unsealedBarrier();
    await barrier.put('secret/a', Buffer.from('value of a'));
    await physical.put('secret/b', (await physical.get('secret/a'))!);
    await assert.rejects(barrier.get('secret/b'), IntegrityError);
    assert.deepEqual(await barrier.get('secret/a'), Buffer.from('value of a'));
  });

  it('rotate: new writes use the new term, old values still read, survives re-unseal', async () => {
    const { physical, barrier, rootKey } = await unsealedBarrier();
    await barrier.put('old', Buffer.from('v1'));
    const before = barrier.keyStatus();
    assert.equal(before.term, 1);
    assert.equal(before.encryptions, 1);
    const rotated = await barrier.rotate();
    assert.equal(rotated.term, 2);
    assert.ok(!Number.isNaN(Date.parse(rotated.install_time)));
    assert.deepEqual(barrier.keyStatus(), { ...rotated, encryptions: 0 });
    await barrier.put('new', Buffer.from('v2'));
    assert.equal((await physical.get('old'))!.readUInt32BE(0), 1);
    assert.equal((await physical.get('new'))!.readUInt32BE(0), 2);
    assert.deepEqual(await barrier.get('old'), Buffer.from('v1'));
    assert.deepEqual(await barrier.get('new'), Buffer.from('v2'));
    assert.equal(barrier.keyStatus().encryptions, 1);

    const [r3, r4] = await Promise.all([barrier.rotate(), barrier.rotate()]);
    assert.deepEqual([r3.term, r4.term], [3, 4], 'concurrent rotations get distinct terms');

    barrier.seal();
    const restarted = new Barrier(physical);
    await restarted.unseal(rootKey);
    assert.equal(restarted.keyStatus().term, 4);
    assert.deepEqual(await restarted.get('old'), Buffer.from('v1'));
    assert.deepEqual(await restarted.get('new'), Buffer.from('v2'));
  });

  it('seal zeroes every key Buffer and every operation then throws SealedError', async () => {
    const { barrier } = await unsealedBarrier();
    await barrier.rotate();
    await barrier.put('k', Buffer.from('v'));
    const keys = barrier[inspectKeyBuffers]();
    assert.equal(keys.length, 3, 'root key and two terms');
    for (const k of keys) assert.notDeepEqual(k, Buffer.alloc(32));
    barrier.seal();
    assert.equal(barrier.sealed, true);
    for (const k of keys) assert.deepEqual(k, Buffer.alloc(32));
    await assert.rejects(barrier.get('k'), SealedError);
    await assert.rejects(barrier.put('k', Buffer.from('v')), SealedError);
    await assert.rejects(barrier.delete('k'), SealedError);
    await assert.rejects(barrier.list(''), SealedError);
    await assert.rejects(barrier.batch([]), SealedError);
    await assert.rejects(barrier.rotate(), SealedError);
    assert.throws(() => barrier.keyStatus(), SealedError);
    assert.throws(() => barrier[inspectKeyBuffers](), SealedError);
    barrier.seal(); // idempotent
  });

  it('seal between a read and its decryption throws SealedError', async () => {
    const { barrier } = await unsealedBarrier();
    await barrier.put('k', Buffer.from('v'));
    const pending = barrier.get('k');
    barrier.seal();
    await assert.rejects(pending, SealedError);
  });

  it('does not keep a reference to the caller root key Buffer', async () => {
    const { barrier, rootKey } = await unsealedBarrier();
    rootKey.fill(0);
    await barrier.rotate(); // re-encrypts the keyring with its own copy
    await barrier.put('k', Buffer.from('v'));
    assert.deepEqual(await barrier.get('k'), Buffer.from('v'));
  });

  it('a wrong root key does not unseal', async () => {
    const physical = new InmemStorage();
    const barrier = new Barrier(physical);
    await barrier.initialize(randomBytes(32));
    const wrong = randomBytes(32);
    await assert.rejects(barrier.unseal(wrong), (err: unknown) => {
      assert.ok(err instanceof IntegrityError);
      assert.ok(!err.message.includes(wrong.toString('hex')));
      assert.ok(!err.message.includes(wrong.toString('base64')));
      return true;
    });
    assert.equal(barrier.sealed, true);
  });

  it('refuses the keyring and seal paths', async () => {
    const { barrier } = await unsealedBarrier();
    for (const key of [KEYRING_PATH, 'core/seal/config', 'core/seal/root-key']) {
      await assert.rejects(barrier.get(key), InvalidPathError);
      await assert.rejects(barrier.put(key, Buffer.from('x')), InvalidPathError);
      await assert.rejects(barrier.delete(key), InvalidPathError);
      await assert.rejects(barrier.batch([{ op: 'delete', key }]), InvalidPathError);
    }
    await barrier.put('core/other', Buffer.from('fine'));
    assert.deepEqual(await barrier.get('core/other'), Buffer.from('fine'));
  });

  it('never writes the plaintext or a key to physical storage', async () => {
    const { physical, barrier, rootKey } = await unsealedBarrier();
    const secret = Buffer.from('correct horse battery staple');
    await barrier.put('secret/one', secret);
    await barrier.batch([{ op: 'put', key: 'secret/two', value: secret }]);
    const termKey = Buffer.from(barrier[inspectKeyBuffers]()[1]!);
    const bytes = await allPhysicalBytes(physical);
    assert.ok(bytes.length > 0);
    for (const needle of [secret, rootKey, termKey]) {
      assert.equal(bytes.indexOf(needle), -1);
      assert.equal(bytes.indexOf(Buffer.from(needle.toString('hex'))), -1);
      assert.equal(bytes.indexOf(Buffer.from(needle.toString('base64'))), -1);
    }
  });

  it('close seals and closes the physical storage', async () => {
    const { barrier } = await unsealedBarrier();
    await barrier.close();
    assert.equal(barrier.sealed, true);
  });

  describe('getJSONShared', () => {
    it('parses once, hands every reader the same frozen value, and follows writes', async () => {
      const { barrier } = await unsealedBarrier();
      await barrier.put('kv/a', Buffer.from(JSON.stringify({ data: { v: 'one' }, list: [1, 2] })));
      const first = (await barrier.getJSONShared('kv/a')) as { data: { v: string }; list: number[] };
      assert.deepEqual(first, { data: { v: 'one' }, list: [1, 2] });
      assert.ok(Object.isFrozen(first) && Object.isFrozen(first.data) && Object.isFrozen(first.list));
      assert.throws(() => {
        (first.data as { v: string }).v = 'changed';
      }, TypeError);
      assert.equal(await barrier.getJSONShared('kv/a'), first, 'the second read is the cached parse');

      await barrier.put('kv/a', Buffer.from(JSON.stringify({ data: { v: 'two' } })));
      const after = (await barrier.getJSONShared('kv/a')) as { data: { v: string } };
      assert.equal(after.data.v, 'two');
      await barrier.delete('kv/a');
      assert.equal(await barrier.getJSONShared('kv/a'), undefined);
    });

    it("keeps a batch writer's own parse of a cached key, frozen, and only then", async () => {
      const { physical, barrier } = await unsealedBarrier();
      await barrier.put('kv/m', Buffer.from('{"n":1}'));
      await barrier.getJSONShared('kv/m');
      const next = { n: 2, list: [1, 2] };
      const created = { n: 0 };
      await barrier.batch([
        { op: 'put', key: 'kv/m', value: Buffer.from(JSON.stringify(next)), parsed: next },
        { op: 'put', key: 'kv/new', value: Buffer.from(JSON.stringify(created)), parsed: created },
      ]);
      assert.equal(await barrier.getJSONShared('kv/m'), next, 'served without a parse');
      assert.ok(Object.isFrozen(next) && Object.isFrozen(next.list));
      // A key the cache did not hold is not added (writes never grow the cache) nor frozen.
      const fresh = await barrier.getJSONShared('kv/new');
      assert.deepEqual(fresh, created);
      assert.notEqual(fresh, created);
      assert.equal(Object.isFrozen(created), false);
      // A failed batch keeps nothing.
      const failing = { n: 3 };
      const batch = physical.batch.bind(physical);
      physical.batch = async () => {
        throw new Error('disk full');
      };
      await assert.rejects(
        barrier.batch([{ op: 'put', key: 'kv/m', value: Buffer.from('{"n":3}'), parsed: failing }]),
      );
      physical.batch = batch;
      assert.deepEqual(await barrier.getJSONShared('kv/m'), { n: 2, list: [1, 2] });
      assert.equal(Object.isFrozen(failing), false);
      // The physical storage never sees the parsed value.
      const seen: unknown[] = [];
      physical.batch = async (ops) => {
        seen.push(...ops);
        return batch(ops);
      };
      await barrier.batch([{ op: 'put', key: 'kv/m', value: Buffer.from('{"n":4}'), parsed: { n: 4 } }]);
      assert.deepEqual(
        seen.map((o) => Object.keys(o as object)),
        [['op', 'key', 'value']],
      );
    });

    it('is refused once sealed, and forgets what it parsed', async () => {
      const { barrier, rootKey } = await unsealedBarrier();
      await barrier.put('kv/b', Buffer.from('{"x":1}'));
      const before = await barrier.getJSONShared('kv/b');
      barrier.seal();
      await assert.rejects(barrier.getJSONShared('kv/b'));
      await barrier.unseal(rootKey);
      const again = await barrier.getJSONShared('kv/b');
      assert.deepEqual(again, { x: 1 });
      assert.notEqual(again, before, 'sealing dropped the shared value');
    });

    it('works with the cache disabled (a fresh parse each time)', async () => {
      const physical = new InmemStorage();
      const barrier = new Barrier(physical, { cache: false });
      const rootKey = randomBytes(32);
      await barrier.initialize(rootKey);
      await barrier.unseal(rootKey);
      await barrier.put('kv/c', Buffer.from('{"x":2}'));
      const a = await barrier.getJSONShared('kv/c');
      assert.deepEqual(a, { x: 2 });
      assert.notEqual(await barrier.getJSONShared('kv/c'), a);
    });
  });
});
