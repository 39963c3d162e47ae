import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidFieldError, NotFoundError } from '../../../sdk/index.ts';
import { kvHarness, printed, START } from '../test-helper.ts';
import { subkeys } from './subkeys.ts';

const data = {
  foo: 'abc',
  bar: { baz: 'def', deep: { x: 1, y: { z: [1] } } },
  quux: {},
  list: [{ a: 1 }],
  n: null,
};

describe('kv v2 subkeys/', () => {
  const cases: [number, Record<string, unknown>][] = [
    [
      0,
      { foo: null, bar: { baz: null, deep: { x: null, y: { z: null } } }, quux: null, list: null, n: null },
    ],
    [1, { foo: null, bar: null, quux: null, list: null, n: null }],
    [2, { foo: null, bar: { baz: null, deep: null }, quux: null, list: null, n: null }],
    [3, { foo: null, bar: { baz: null, deep: { x: null, y: null } }, quux: null, list: null, n: null }],
    [
      9,
      { foo: null, bar: { baz: null, deep: { x: null, y: { z: null } } }, quux: null, list: null, n: null },
    ],
  ];
  for (const [depth, want] of cases) {
    it(`depth ${depth}`, () => assert.deepEqual(subkeys(data, depth), want));
  }

  it('answers the structure of a version with its metadata, never the values', async () => {
    const kv = await kvHarness();
    await kv.write('data/s', { data: { a: 'secret-a', b: { c: 'secret-c' } } });
    await kv.write('data/s', { data: { only: 'v2' } });
    const res = await kv.call('read', 'subkeys/s', { version: '1', depth: '0' });
    assert.deepEqual(res, {
      data: {
        metadata: {
          created_time: printed(START),
          custom_metadata: null,
          deletion_time: '',
          destroyed: false,
          version: 1,
        },
        subkeys: { a: null, b: { c: null } },
      },
    });
    assert.doesNotMatch(JSON.stringify(res), /secret-/);
    assert.deepEqual((await kv.call('read', 'subkeys/s', { depth: 1 })).data?.subkeys, { only: null });
  });

  it('404s: missing (bare), deleted (with metadata)', async () => {
    const kv = await kvHarness();
    await assert.rejects(kv.call('read', 'subkeys/none'), NotFoundError);
    await kv.write('data/s', { data: { a: 1 } });
    await assert.rejects(kv.call('read', 'subkeys/s', { version: 2 }), NotFoundError);
    await kv.call('delete', 'data/s');
    const res = await kv.call('read', 'subkeys/s');
    assert.equal(res.status, 404);
    assert.equal(res.data?.subkeys, null);
    assert.equal(
      (res.data?.metadata as { deletion_time?: string } | undefined)?.deletion_time,
      printed(START),
    );
  });

  it('refuses bad parameters', async () => {
    const kv = await kvHarness();
    await kv.write('data/s', { data: { a: 1 } });
    for (const query of [{ depth: '-1' }, { depth: 'x' }, { version: 'latest' }, { other: '1' }]) {
      await assert.rejects(kv.call('read', 'subkeys/s', query), InvalidFieldError, JSON.stringify(query));
    }
  });
});
