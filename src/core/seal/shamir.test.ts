import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { InvalidFieldError } from '../../sdk/errors.ts';
import { combine, gfDiv, gfInv, gfMul, split } from './shamir.ts';

/** Slow reference multiply (schoolbook polynomial product, then reduction), for cross-checking. */
function refMul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) if ((b >> i) & 1) p ^= a << i;
  for (let bit = 14; bit >= 8; bit--) if ((p >> bit) & 1) p ^= 0x11b << (bit - 8);
  return p;
}

/** All k-element subsets of [0, n). */
function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k - 1).map((s) => [...s, n - 1]), ...subsets(n - 1, k)];
}

describe('GF(2^8) arithmetic', () => {
  const known: Array<[number, number, number]> = [
    [0x53, 0xca, 0x01], // FIPS-197 inverse pair
    [0x57, 0x83, 0xc1], // FIPS-197 section 4.2
    [0x57, 0x13, 0xfe], // FIPS-197 section 4.2.1
    [0x00, 0xff, 0x00],
    [0x01, 0xab, 0xab],
    [0x02, 0x80, 0x1b],
  ];
  for (const [a, b, want] of known) {
    it(`${a.toString(16)} * ${b.toString(16)} = ${want.toString(16)}`, () => {
      assert.equal(gfMul(a, b), want);
      assert.equal(gfMul(b, a), want);
    });
  }

  it('inverse: 0x53^-1 = 0xca, 0^-1 = 0 by convention', () => {
    assert.equal(gfInv(0x53), 0xca);
    assert.equal(gfInv(0xca), 0x53);
    assert.equal(gfInv(0x01), 0x01);
    assert.equal(gfInv(0x00), 0x00);
  });

  it('multiply matches a reference for all 65536 pairs', () => {
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) assert.equal(gfMul(a, b), refMul(a, b));
  });

  it('a * a^-1 = 1 and (a / b) * b = a for every non-zero a, b', () => {
    for (let a = 1; a < 256; a++) {
      assert.equal(gfMul(a, gfInv(a)), 1);
      for (let b = 1; b < 256; b += 17) assert.equal(gfMul(gfDiv(a, b), b), a);
    }
  });
});

describe('split / combine', () => {
  const cases: Array<[parts: number, threshold: number, secretLen: number]> = [
    [2, 2, 1],
    [3, 2, 16],
    [3, 3, 32],
    [5, 3, 32],
    [5, 5, 32],
    [7, 4, 33],
    [10, 2, 5],
    [255, 2, 32],
    [255, 255, 8],
  ];
  for (const [parts, threshold, len] of cases) {
    it(`round trip ${threshold} of ${parts} (${len}-byte secret)`, () => {
      const secret = randomBytes(len);
      const shares = split(secret, parts, threshold);
      assert.equal(shares.length, parts);
      for (const s of shares) assert.equal(s.length, len + 1);
      const xs = shares.map((s) => s[len]!);
      assert.equal(new Set(xs).size, parts, 'x coordinates are distinct');
      assert.ok(!xs.includes(0), 'x coordinates are non-zero');
      assert.deepEqual(combine(shares.slice(0, threshold)), secret);
      assert.deepEqual(combine(shares.slice(parts - threshold)), secret);
      assert.deepEqual(combine(shares), secret, 'more than the threshold works too');
    });
  }

  for (const [parts, threshold] of [
    [5, 3],
    [6, 2],
    [6, 4],
  ] as const) {
    it(`every ${threshold} of ${parts} recovers; every ${threshold - 1} does not`, () => {
      const secret = randomBytes(32);
      const shares = split(secret, parts, threshold);
      for (const pick of subsets(parts, threshold)) {
        assert.deepEqual(combine(pick.map((i) => shares[i]!)), secret);
      }
      if (threshold - 1 >= 2) {
        for (const pick of subsets(parts, threshold - 1)) {
          assert.notDeepEqual(combine(pick.map((i) => shares[i]!)), secret);
        }
      }
    });
  }

  it('shares are in any order', () => {
    const secret = randomBytes(32);
    const shares = split(secret, 5, 3);
    assert.deepEqual(combine([shares[4]!, shares[0]!, shares[2]!]), secret);
  });

  it('two splits of the same secret give different shares', () => {
    const secret = randomBytes(32);
    assert.notDeepEqual(split(secret, 3, 2), split(secret, 3, 2));
  });

  const badSplits: Array<[name: string, parts: number, threshold: number, secretLen: number]> = [
    ['threshold 1', 3, 1, 32],
    ['threshold 0', 3, 0, 32],
    ['1 of 1', 1, 1, 32],
    ['threshold above parts', 3, 4, 32],
    ['more than 255 parts', 256, 3, 32],
    ['non-integer parts', 3.5, 2, 32],
    ['empty secret', 3, 2, 0],
  ];
  for (const [name, parts, threshold, len] of badSplits) {
    it(`split refuses ${name}`, () => {
      assert.throws(() => split(randomBytes(len), parts, threshold), InvalidFieldError);
    });
  }

  it('combine refuses fewer than 2 shares, mixed lengths, duplicate or zero x', () => {
    const shares = split(randomBytes(32), 3, 2);
    assert.throws(() => combine([]), InvalidFieldError);
    assert.throws(() => combine([shares[0]!]), InvalidFieldError);
    assert.throws(() => combine([shares[0]!, shares[1]!.subarray(1)]), InvalidFieldError);
    assert.throws(() => combine([shares[0]!, Buffer.from(shares[0]!)]), InvalidFieldError);
    const forged = Buffer.from(shares[1]!);
    forged[32] = shares[0]![32]!;
    assert.throws(() => combine([shares[0]!, forged]), InvalidFieldError);
    const zeroX = Buffer.from(shares[1]!);
    zeroX[32] = 0;
    assert.throws(() => combine([shares[0]!, zeroX]), InvalidFieldError);
    assert.throws(() => combine([Buffer.from([1]), Buffer.from([2])]), InvalidFieldError);
  });
});
