import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../sdk/errors.ts';
import { split } from './shamir.ts';
import { decodeShare, ShareCollector } from './shares.ts';

describe('decodeShare', () => {
  const key = randomBytes(33);
  const ok: Array<[string, string | Buffer]> = [
    ['lower-case hex', key.toString('hex')],
    ['upper-case hex', key.toString('hex').toUpperCase()],
    ['base64', key.toString('base64')],
    ['raw bytes', key],
  ];
  for (const [name, input] of ok) {
    it(`accepts ${name}`, () => assert.deepEqual(decodeShare(input, 33), key));
  }

  it('takes all-hex-digit base64 as base64 when only that has the right length', () => {
    const text = 'ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789'; // 48 chars: 24 as hex, 36 as base64
    assert.deepEqual(decodeShare(text, 36), Buffer.from(text, 'base64'));
  });

  it('copies a Buffer input', () => {
    const out = decodeShare(key, 33);
    out.fill(0);
    assert.notDeepEqual(key, out);
  });

  const bad: Array<[string, string | Buffer]> = [
    ['empty', ''],
    ['odd-length hex', key.toString('hex').slice(1)],
    ['hex of the wrong length', key.subarray(1).toString('hex')],
    ['base64 of the wrong length', key.subarray(1).toString('base64')],
    ['base64url', Buffer.from(Array(33).fill(0xfb)).toString('base64url')],
    ['garbage', 'not a key at all!'],
    ['bytes of the wrong length', key.subarray(1)],
  ];
  for (const [name, input] of bad) {
    it(`refuses ${name}`, () => {
      const echo = typeof input === 'string' ? input.slice(0, 8) : input.toString('hex').slice(0, 8);
      assert.throws(
        () => decodeShare(input, 33),
        (err: unknown) => err instanceof BadRequestError && (echo === '' || !err.message.includes(echo)),
      );
    });
  }
});

describe('ShareCollector', () => {
  it('collects, refuses duplicates, recovers and resets', () => {
    const secret = randomBytes(32);
    const shares = split(secret, 3, 2);
    const c = new ShareCollector();
    assert.equal(c.nonce, '');
    assert.equal(c.add(Buffer.from(shares[0]!)), true);
    const nonce = c.nonce;
    assert.match(nonce, /^[0-9a-f-]{36}$/);
    assert.equal(c.add(Buffer.from(shares[0]!)), false);
    assert.equal(c.progress, 1);
    c.add(Buffer.from(shares[2]!));
    assert.deepEqual(c.recover(), secret);
    assert.equal(c.progress, 0);
    assert.equal(c.nonce, '');
  });

  it('zeroes the shares it held on reset', () => {
    const share = randomBytes(33);
    const c = new ShareCollector();
    c.add(share);
    c.reset();
    assert.deepEqual(share, Buffer.alloc(33));
  });

  it('a single share is the key itself', () => {
    const key = randomBytes(32);
    const c = new ShareCollector();
    c.add(Buffer.from(key));
    assert.deepEqual(c.recover(), key);
  });
});
