import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StorageOp } from '../storage/storage.ts';
import { StorageView } from './storage-view.ts';

/** Records the batches it gets. */
function recorder() {
  const batches: StorageOp[][] = [];
  const inner = {
    get: async () => undefined,
    put: async () => {},
    delete: async () => {},
    list: async () => [],
    batch: async (ops: StorageOp[]) => {
      batches.push(ops);
    },
  };
  return { batches, view: new StorageView(inner, 'mount/') };
}

test('batch puts every key below the prefix and keeps values and parsed values', async () => {
  const { batches, view } = recorder();
  const value = Buffer.from('{"a":1}');
  const parsed = { a: 1 };
  await view.batch([
    { op: 'put', key: 'x/1', value, parsed },
    { op: 'put', key: 'x/2', value },
    { op: 'delete', key: 'x/3' },
  ]);
  assert.deepEqual(batches, [
    [
      { op: 'put', key: 'mount/x/1', value, parsed },
      { op: 'put', key: 'mount/x/2', value },
      { op: 'delete', key: 'mount/x/3' },
    ],
  ]);
  assert.equal(batches[0]![0]!.op === 'put' && batches[0]![0]!.parsed, parsed);
  assert.equal(Object.hasOwn(batches[0]![1]!, 'parsed'), false);
});

test('keys with dot segments or a leading slash are refused; other dots are fine', async () => {
  const { batches, view } = recorder();
  for (const key of ['../x', 'a/../x', 'a/./x', '.', '..', 'a/..', '/a']) {
    assert.throws(() => view.batch([{ op: 'delete', key }]), /invalid storage key/, key);
    assert.throws(() => view.get(key), /invalid storage key/, key);
  }
  await view.batch([{ op: 'delete', key: 'a/.hidden/x.y/..z' }]);
  assert.deepEqual(batches, [[{ op: 'delete', key: 'mount/a/.hidden/x.y/..z' }]]);
});
