import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { MAX_DATA_DEPTH } from '../../sdk/request.ts';
import { shareFrozen } from '../../sdk/shared-value.ts';
import { copyValue, HASH_PREFIX, hashString, hashValue, hashValueJSON, newSalt } from './hash.ts';

const salt = Buffer.alloc(32, 7);
const h = (s: string) => hashString(salt, s);

describe('audit hashing', () => {
  it('hashString is hmac-sha256 keyed with the salt, as hex', () => {
    const want = createHmac('sha256', salt).update('secret').digest('hex');
    assert.equal(hashString(salt, 'secret'), `hmac-sha256:${want}`);
    assert.notEqual(hashString(newSalt(), 'secret'), hashString(salt, 'secret'));
    assert.equal(newSalt().length, 32);
  });

  it('hashes every string at any depth; numbers, booleans and null stay; keys stay', () => {
    const input = {
      password: 'p',
      n: 3,
      ok: true,
      none: null,
      list: ['a', 1, { deep: 'b' }],
      nested: { x: { y: 'c' } },
    };
    assert.deepEqual(hashValue(salt, input), {
      password: h('p'),
      n: 3,
      ok: true,
      none: null,
      list: [h('a'), 1, { deep: h('b') }],
      nested: { x: { y: h('c') } },
    });
  });

  it('keeps the values of non-HMAC keys (whole subtree) at any depth', () => {
    const out = hashValue(
      salt,
      { user: 'alice', pw: 'x', inner: { user: 'bob', meta: { a: 'b' } } },
      new Set(['user', 'meta']),
    );
    assert.deepEqual(out, { user: 'alice', pw: h('x'), inner: { user: 'bob', meta: { a: 'b' } } });
  });

  it('never mutates its input, and copies', () => {
    const input = { a: 'x', b: ['y'], c: { d: 'z' } };
    const before = structuredClone(input);
    const hashed = hashValue(salt, input) as typeof input;
    assert.deepEqual(input, before);
    const copy = copyValue(input) as typeof input;
    assert.deepEqual(copy, input);
    copy.c.d = 'changed';
    copy.b.push('more');
    assert.deepEqual(input, before);
    assert.ok(hashed.a.startsWith(HASH_PREFIX));
  });

  it('converts values with toJSON (dates) before hashing, and refuses absurd nesting', () => {
    const d = new Date(0);
    assert.deepEqual(hashValue(salt, { d }), { d: h(d.toISOString()) });
    let deep: unknown = 'x';
    for (let i = 0; i < 1000; i++) deep = { deep };
    assert.throws(() => hashValue(salt, deep), /nested too deeply/);
    assert.throws(() => hashValueJSON(salt, deep), /nested too deeply/);
  });

  it('hashes data as deep as the edge accepts, inside a response that wraps it', () => {
    // the limit was 128 while the edge accepts 500: a body nested 129+ deep failed every audit
    // device, and the request answered 500
    let deep: unknown = ['x'];
    for (let i = 1; i < MAX_DATA_DEPTH; i++) deep = [deep];
    const response = { data: { data: { k: deep }, metadata: { version: 1 } } };
    assert.doesNotThrow(() => hashValue(salt, response));
    assert.match(hashValueJSON(salt, response) ?? '', /^\{"data":\{"data":\{"k":\[\[\[/);
  });

  it('hashes a shared (deep-frozen) value once per salt, with the same result as a plain copy', () => {
    const salt = Buffer.alloc(32, 7);
    const plain = { value: 'secret-value', nested: { list: ['a', 1, null] } };
    const shared = shareFrozen(structuredClone(plain));
    const first = hashValue(salt, shared);
    assert.deepEqual(first, hashValue(salt, plain));
    assert.equal(hashValue(salt, shared), first, 'the second walk is the memo');
    assert.notEqual(hashValue(Buffer.alloc(32, 8), shared), first, 'another salt: its own copy');
    const kept = hashValue(salt, shared, new Set(['value'])) as { value: string };
    assert.equal(kept.value, 'secret-value', 'non-HMAC keys are not served from the memo');
  });
});
