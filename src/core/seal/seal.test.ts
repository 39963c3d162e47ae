import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  BadRequestError,
  IntegrityError,
  InvalidFieldError,
  NotInitializedError,
  SealedError,
} from '../../sdk/errors.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { Barrier, inspectKeyBuffers } from '../barrier/barrier.ts';
import { ROOT_KEY_PATH, SEAL_CONFIG_PATH } from './config.ts';
import { type RekeyResult, SealManager } from './seal.ts';
import { combine } from './shamir.ts';

function setup(physical = new InmemStorage()) {
  const barrier = new Barrier(physical);
  const seal = new SealManager({ physical, barrier, storageType: 'inmem', version: '1.2.3' });
  return { physical, barrier, seal };
}

async function initialized(secret_shares: number, secret_threshold: number) {
  const s = setup();
  const { shares, rootKey } = await s.seal.initialize({ secret_shares, secret_threshold });
  return { ...s, shares, rootKey };
}

const hex = (b: Buffer) => b.toString('hex');

/** Every stored byte, for "no key appears" checks. */
async function allPhysicalBytes(physical: InmemStorage, prefix = ''): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const name of await physical.list(prefix)) {
    if (name.endsWith('/')) parts.push(await allPhysicalBytes(physical, prefix + name));
    else parts.push((await physical.get(prefix + name))!);
  }
  return Buffer.concat(parts);
}

describe('SealManager', () => {
  it('reports an uninitialized seal', async () => {
    const { seal } = setup();
    assert.equal(await seal.isInitialized(), false);
    assert.deepEqual(await seal.status(), {
      type: 'shamir',
      initialized: false,
      sealed: true,
      t: 0,
      n: 0,
      progress: 0,
      nonce: '',
      version: '1.2.3',
      build_date: '',
      migration: false,
      recovery_seal: false,
      storage_type: 'inmem',
    });
    await assert.rejects(seal.submitUnsealKey(hex(randomBytes(33))), NotInitializedError);
  });

  it('initializes 5/3, leaves the barrier sealed and refuses a second init', async () => {
    const { seal, barrier, shares, rootKey } = await initialized(5, 3);
    assert.equal(shares.length, 5);
    for (const s of shares) assert.equal(s.length, 33);
    assert.equal(rootKey.length, 32);
    assert.equal(await seal.isInitialized(), true);
    assert.equal(barrier.sealed, true);
    const status = await seal.status();
    assert.equal(status.initialized, true);
    assert.equal(status.sealed, true);
    assert.deepEqual([status.t, status.n, status.progress], [3, 5, 0]);
    await assert.rejects(seal.initialize({ secret_shares: 5, secret_threshold: 3 }), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.equal(err.message, 'Coffer is already initialized');
      return true;
    });
  });

  it('the returned root key unseals the barrier directly', async () => {
    const { barrier, rootKey } = await initialized(3, 2);
    await barrier.unseal(rootKey);
    assert.equal(barrier.sealed, false);
  });

  for (const pick of [
    [0, 1, 2],
    [4, 3, 2],
    [0, 2, 4],
    [1, 3, 4],
  ]) {
    it(`shares ${pick.join(',')} of a 5/3 seal unseal`, async () => {
      const { seal, barrier, shares } = await initialized(5, 3);
      const s1 = await seal.submitUnsealKey(hex(shares[pick[0]!]!));
      assert.equal(s1.progress, 1);
      assert.equal(s1.sealed, true);
      assert.notEqual(s1.nonce, '');
      const s2 = await seal.submitUnsealKey(shares[pick[1]!]!.toString('base64'));
      assert.equal(s2.progress, 2);
      assert.equal(s2.nonce, s1.nonce);
      const s3 = await seal.submitUnsealKey(hex(shares[pick[2]!]!));
      assert.equal(s3.sealed, false);
      assert.equal(s3.progress, 0);
      assert.equal(s3.nonce, '');
      assert.equal(barrier.sealed, false);
    });
  }

  it('concurrent submissions of three shares unseal exactly once', async () => {
    const { seal, barrier, shares } = await initialized(5, 3);
    const results = await Promise.all([0, 1, 2].map((i) => seal.submitUnsealKey(hex(shares[i]!))));
    assert.deepEqual(
      results.map((r) => r.progress),
      [1, 2, 0],
    );
    assert.equal(barrier.sealed, false);
  });

  it('two of a 5/3 seal do not unseal', async () => {
    const { seal, barrier, shares } = await initialized(5, 3);
    await seal.submitUnsealKey(hex(shares[0]!));
    const status = await seal.submitUnsealKey(hex(shares[1]!));
    assert.equal(status.sealed, true);
    assert.equal(status.progress, 2);
    assert.equal(barrier.sealed, true);
  });

  it('a wrong key fails generically and resets progress; the real shares then work', async () => {
    const { seal, barrier, shares } = await initialized(5, 3);
    await seal.submitUnsealKey(hex(shares[0]!));
    await seal.submitUnsealKey(hex(shares[1]!));
    const wrong = randomBytes(33);
    await assert.rejects(seal.submitUnsealKey(hex(wrong)), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.equal(err.message, 'unseal failed: invalid key');
      return true;
    });
    assert.equal((await seal.status()).progress, 0);
    assert.equal(barrier.sealed, true);
    for (const i of [2, 3, 4]) await seal.submitUnsealKey(hex(shares[i]!));
    assert.equal(barrier.sealed, false);
  });

  it('a share with a duplicate x coordinate fails and resets progress', async () => {
    const { seal, shares } = await initialized(3, 2);
    const forged = Buffer.from(shares[1]!);
    forged[32] = shares[0]![32]!;
    await seal.submitUnsealKey(hex(shares[0]!));
    await assert.rejects(seal.submitUnsealKey(hex(forged)), BadRequestError);
    assert.equal((await seal.status()).progress, 0);
  });

  it('the same key twice is refused and does not count, whatever its encoding', async () => {
    const { seal, shares } = await initialized(5, 3);
    await seal.submitUnsealKey(hex(shares[0]!));
    for (const again of [hex(shares[0]!), shares[0]!.toString('base64'), Buffer.from(shares[0]!)]) {
      await assert.rejects(seal.submitUnsealKey(again), (err: unknown) => {
        assert.ok(err instanceof BadRequestError);
        assert.match(err.message, /already has this unseal key/);
        return true;
      });
    }
    assert.equal((await seal.status()).progress, 1);
  });

  it('refuses malformed and wrong-length keys without counting them', async () => {
    const { seal, shares } = await initialized(3, 2);
    for (const bad of ['zz', '', hex(shares[0]!.subarray(1)), hex(randomBytes(32)), randomBytes(34)]) {
      await assert.rejects(seal.submitUnsealKey(bad), BadRequestError);
    }
    assert.equal((await seal.status()).progress, 0);
  });

  it('resetUnseal forgets submitted shares', async () => {
    const { seal, shares } = await initialized(3, 2);
    await seal.submitUnsealKey(hex(shares[0]!));
    seal.resetUnseal();
    const status = await seal.status();
    assert.equal(status.progress, 0);
    assert.equal(status.nonce, '');
    // the same share counts again after a reset
    assert.equal((await seal.submitUnsealKey(hex(shares[0]!))).progress, 1);
  });

  it('unsealed: a further key is ignored; seal seals and zeroes the keys', async () => {
    const { seal, barrier, shares } = await initialized(3, 2);
    await seal.submitUnsealKey(hex(shares[0]!));
    await seal.submitUnsealKey(hex(shares[1]!));
    const again = await seal.submitUnsealKey(hex(randomBytes(33)));
    assert.equal(again.sealed, false);
    const keys = barrier[inspectKeyBuffers]();
    await seal.seal();
    assert.equal(barrier.sealed, true);
    assert.equal((await seal.status()).sealed, true);
    for (const k of keys) assert.deepEqual(k, Buffer.alloc(32));
    await assert.rejects(barrier.get('x'), SealedError);
  });

  it('after a restart (new manager and barrier on the same storage) starts sealed and unseals', async () => {
    const { physical, seal, barrier, shares } = await initialized(5, 3);
    for (const i of [0, 1, 2]) await seal.submitUnsealKey(hex(shares[i]!));
    await barrier.put('secret/x', Buffer.from('kept'));
    await barrier.close();

    const next = setup(physical);
    const status = await next.seal.status();
    assert.equal(status.initialized, true);
    assert.equal(status.sealed, true);
    assert.deepEqual([status.t, status.n], [3, 5]);
    for (const i of [4, 2, 0]) await next.seal.submitUnsealKey(shares[i]!.toString('base64'));
    assert.equal(next.barrier.sealed, false);
    assert.deepEqual(await next.barrier.get('secret/x'), Buffer.from('kept'));
  });

  it('1/1: the single share is the 32-byte unseal key and unseals alone', async () => {
    const { seal, barrier, shares } = await initialized(1, 1);
    assert.equal(shares.length, 1);
    assert.equal(shares[0]!.length, 32);
    const status = await seal.submitUnsealKey(hex(shares[0]!));
    assert.equal(status.sealed, false);
    assert.deepEqual([status.t, status.n], [1, 1]);
    assert.equal(barrier.sealed, false);
  });

  it('1/1: a wrong key fails', async () => {
    const { seal, barrier } = await initialized(1, 1);
    await assert.rejects(seal.submitUnsealKey(hex(randomBytes(32))), BadRequestError);
    assert.equal(barrier.sealed, true);
  });

  const badParams: Array<[string, number, number, RegExp]> = [
    ['0 shares', 0, 0, /secret_shares must be at least 1/],
    ['0 threshold', 3, 0, /secret_threshold must be at least 1/],
    ['threshold above shares', 3, 4, /cannot be larger/],
    ['1 share with threshold 2', 1, 2, /cannot be larger/],
    ['threshold 1 of several shares', 3, 1, /at least 2 when secret_shares is more than 1/],
    ['256 shares', 256, 3, /more than 255/],
    ['non-integer shares', 2.5, 2, /integer/],
  ];
  for (const [name, n, t, message] of badParams) {
    it(`initialize refuses ${name}`, async () => {
      const { seal } = setup();
      await assert.rejects(seal.initialize({ secret_shares: n, secret_threshold: t }), (err: unknown) => {
        assert.ok(err instanceof InvalidFieldError);
        assert.match(err.message, message);
        return true;
      });
      assert.equal(await seal.isInitialized(), false);
    });
  }

  it('255 shares, threshold 255, works', async () => {
    const { shares } = await initialized(255, 255);
    assert.equal(shares.length, 255);
    assert.equal(new Set(shares.map((s) => s[32])).size, 255);
  });

  it('stores no root key, unseal key or share in physical storage', async () => {
    const { physical, seal, barrier, shares, rootKey } = await initialized(3, 2);
    const unsealKey = combine(shares.slice(0, 2));
    for (const i of [0, 1]) await seal.submitUnsealKey(hex(shares[i]!));
    await barrier.put('a', Buffer.from('b'));
    await barrier.rotate();
    const bytes = await allPhysicalBytes(physical);
    assert.ok((await physical.get(SEAL_CONFIG_PATH)) !== undefined);
    assert.ok((await physical.get(ROOT_KEY_PATH)) !== undefined);
    for (const needle of [rootKey, unsealKey, ...shares, ...barrier[inspectKeyBuffers]()]) {
      for (const form of [needle, Buffer.from(hex(needle)), Buffer.from(needle.toString('base64'))]) {
        assert.equal(bytes.indexOf(form), -1);
      }
    }
    assert.deepEqual(JSON.parse((await physical.get(SEAL_CONFIG_PATH))!.toString()), {
      type: 'shamir',
      secret_shares: 3,
      secret_threshold: 2,
    });
  });

  it('a corrupted wrapped root key fails unseal and corrupted config is an IntegrityError', async () => {
    const { physical, seal, shares } = await initialized(3, 2);
    const wrapped = (await physical.get(ROOT_KEY_PATH))!;
    wrapped[20]! ^= 1;
    await physical.put(ROOT_KEY_PATH, wrapped);
    await seal.submitUnsealKey(hex(shares[0]!));
    await assert.rejects(seal.submitUnsealKey(hex(shares[1]!)), BadRequestError);
    await physical.put(SEAL_CONFIG_PATH, Buffer.from('{"type":"shamir"}'));
    await assert.rejects(seal.status(), IntegrityError);
  });
});

describe('SealManager rekey', () => {
  async function unsealed(n: number, t: number) {
    const s = await initialized(n, t);
    await s.barrier.unseal(s.rootKey);
    return s;
  }

  it('needs an unsealed, initialized seal and valid params', async () => {
    const { seal: fresh } = setup();
    await assert.rejects(fresh.rekeyInit({ secret_shares: 3, secret_threshold: 2 }), NotInitializedError);
    const { seal } = await initialized(3, 2);
    await assert.rejects(seal.rekeyInit({ secret_shares: 3, secret_threshold: 2 }), SealedError);
    const { seal: open } = await unsealed(3, 2);
    await assert.rejects(open.rekeyInit({ secret_shares: 3, secret_threshold: 1 }), InvalidFieldError);
  });

  it('5/3 → 4/2: old shares stop working, new ones unseal', async () => {
    const { physical, seal, shares, barrier } = await unsealed(5, 3);
    await barrier.put('secret/x', Buffer.from('kept'));
    assert.deepEqual(seal.rekeyStatus(), {
      nonce: '',
      started: false,
      t: 0,
      n: 0,
      progress: 0,
      required: 3,
      verification_required: false,
    });
    const init = await seal.rekeyInit({ secret_shares: 4, secret_threshold: 2 });
    assert.equal(init.started, true);
    assert.match(init.nonce, /^[0-9a-f-]{36}$/);
    assert.deepEqual([init.t, init.n, init.progress, init.required], [2, 4, 0, 3]);
    await assert.rejects(seal.rekeyInit({ secret_shares: 4, secret_threshold: 2 }), BadRequestError);

    await assert.rejects(seal.rekeyUpdate(hex(shares[0]!), 'not-the-nonce'), BadRequestError);
    const p1 = await seal.rekeyUpdate(hex(shares[0]!), init.nonce);
    assert.equal('progress' in p1 && p1.progress, 1);
    await assert.rejects(seal.rekeyUpdate(hex(shares[0]!), init.nonce), BadRequestError);
    await seal.rekeyUpdate(shares[3]!.toString('base64'), init.nonce);
    assert.equal(seal.rekeyStatus().progress, 2);
    const done = (await seal.rekeyUpdate(hex(shares[4]!), init.nonce)) as RekeyResult;
    assert.equal(done.complete, true);
    assert.equal(done.nonce, init.nonce);
    assert.equal(done.keys.length, 4);
    assert.deepEqual(
      done.keys_base64.map((k) => Buffer.from(k, 'base64').toString('hex')),
      done.keys,
    );
    assert.equal(seal.rekeyStatus().started, false);
    assert.equal(barrier.sealed, false, 'rekey does not seal');
    const status = await seal.status();
    assert.deepEqual([status.t, status.n], [2, 4]);

    // restart: old shares fail, new ones work and the data is still there
    await seal.seal();
    const next = setup(physical);
    // the new threshold is 2, and old shares are 33 bytes too: they combine to a wrong key
    await next.seal.submitUnsealKey(hex(shares[0]!));
    await assert.rejects(next.seal.submitUnsealKey(hex(shares[1]!)), BadRequestError);
    await next.seal.submitUnsealKey(hex(shares[2]!));
    await assert.rejects(next.seal.submitUnsealKey(hex(shares[3]!)), BadRequestError);
    await next.seal.submitUnsealKey(done.keys[3]!);
    const unsealedStatus = await next.seal.submitUnsealKey(done.keys_base64[1]!);
    assert.equal(unsealedStatus.sealed, false);
    assert.deepEqual(await next.barrier.get('secret/x'), Buffer.from('kept'));
  });

  it('a wrong key resets rekey progress but keeps the rekey open', async () => {
    const { seal, shares } = await unsealed(3, 2);
    const init = await seal.rekeyInit({ secret_shares: 1, secret_threshold: 1 });
    await seal.rekeyUpdate(hex(shares[0]!), init.nonce);
    await assert.rejects(seal.rekeyUpdate(hex(randomBytes(33)), init.nonce), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.equal(err.message, 'rekey failed: invalid key');
      return true;
    });
    const status = seal.rekeyStatus();
    assert.equal(status.started, true);
    assert.equal(status.progress, 0);
    await seal.rekeyUpdate(hex(shares[1]!), init.nonce);
    const done = (await seal.rekeyUpdate(hex(shares[2]!), init.nonce)) as RekeyResult;
    assert.equal(done.keys.length, 1);
    assert.equal(Buffer.from(done.keys[0]!, 'hex').length, 32, '1/1: the key is the unseal key');
  });

  it('1/1 → 3/2 and cancel', async () => {
    const { seal, shares } = await unsealed(1, 1);
    const first = await seal.rekeyInit({ secret_shares: 3, secret_threshold: 2 });
    seal.rekeyCancel();
    assert.equal(seal.rekeyStatus().started, false);
    await assert.rejects(seal.rekeyUpdate(hex(shares[0]!), first.nonce), BadRequestError);
    const init = await seal.rekeyInit({ secret_shares: 3, secret_threshold: 2 });
    assert.notEqual(init.nonce, first.nonce);
    const done = (await seal.rekeyUpdate(hex(shares[0]!), init.nonce)) as RekeyResult;
    assert.equal(done.keys.length, 3);
    for (const k of done.keys) assert.equal(Buffer.from(k, 'hex').length, 33);
  });

  it('rekeyStatus is synchronous; `required` comes from the last config read', async () => {
    const { physical } = await initialized(5, 3);
    const restarted = setup(physical);
    assert.equal(restarted.seal.rekeyStatus().required, 0);
    await restarted.seal.status();
    assert.equal(restarted.seal.rekeyStatus().required, 3);
  });

  it('sealing cancels a rekey in progress', async () => {
    const { seal, shares, rootKey, barrier } = await unsealed(3, 2);
    const init = await seal.rekeyInit({ secret_shares: 3, secret_threshold: 2 });
    await seal.rekeyUpdate(hex(shares[0]!), init.nonce);
    await seal.seal();
    await barrier.unseal(rootKey);
    assert.equal(seal.rekeyStatus().started, false);
  });
});
