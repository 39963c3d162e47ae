import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntegrityError } from '../../sdk/errors.ts';
import { Keyring } from './keyring.ts';

describe('Keyring', () => {
  it('starts with term 1 and a 32-byte key', () => {
    const ring = Keyring.create(new Date('2025-01-02T03:04:05.678Z'));
    assert.equal(ring.active.term, 1);
    assert.equal(ring.active.key.length, 32);
    assert.notDeepEqual(ring.active.key, Buffer.alloc(32));
    assert.equal(ring.active.installTime.toISOString(), '2025-01-02T03:04:05.678Z');
  });

  it('withNewTerm adds term n+1 as active and leaves the original unchanged', () => {
    const ring = Keyring.create();
    const next = ring.withNewTerm().withNewTerm();
    assert.equal(next.active.term, 3);
    assert.deepEqual(next.terms.map((t) => t.term).sort(), [1, 2, 3]);
    assert.deepEqual(next.term(1)!.key, ring.term(1)!.key);
    assert.notEqual(next.term(1)!.key, ring.term(1)!.key, 'keys are copied, not shared');
    assert.equal(ring.terms.length, 1);
  });

  it('serializes and deserializes', () => {
    const ring = Keyring.create(new Date(1_000)).withNewTerm(new Date(2_000));
    const back = Keyring.deserialize(ring.serialize());
    assert.equal(back.active.term, 2);
    for (const t of ring.terms) {
      assert.deepEqual(back.term(t.term)!.key, t.key);
      assert.equal(back.term(t.term)!.installTime.getTime(), t.installTime.getTime());
    }
  });

  it('refuses malformed bytes', () => {
    const good = Keyring.create().serialize();
    const bad = [
      Buffer.alloc(0),
      good.subarray(0, good.length - 1),
      Buffer.concat([good, Buffer.alloc(1)]),
      Buffer.from([9, ...good.subarray(1)]),
      Buffer.from([1, 0, 0, 0, 0]),
    ];
    for (const b of bad) assert.throws(() => Keyring.deserialize(b), IntegrityError);
  });

  it('zeroize fills every key with zeros', () => {
    const ring = Keyring.create().withNewTerm();
    ring.zeroize();
    for (const t of ring.terms) assert.deepEqual(t.key, Buffer.alloc(32));
  });
});
