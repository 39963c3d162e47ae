import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidFieldError } from '../../../sdk/index.ts';
import { type KvHarness, kvHarness, printed, START } from '../test-helper.ts';

async function threeVersions(): Promise<KvHarness> {
  const kv = await kvHarness();
  for (let i = 1; i <= 3; i++) await kv.write('data/s', { data: { i } });
  return kv;
}

const versionsOf = async (kv: KvHarness) =>
  (await kv.call('read', 'metadata/s')).data?.versions as Record<
    string,
    { deletion_time: string; destroyed: boolean }
  >;

describe('kv v2 delete/ undelete/ destroy/', () => {
  it('delete/ soft-deletes the listed versions (204)', async () => {
    const kv = await threeVersions();
    kv.clock.advance(1);
    assert.deepEqual(await kv.write('delete/s', { versions: [1, 3] }), {});
    const v = await versionsOf(kv);
    assert.equal(v['1']?.deletion_time, printed(START + 1000));
    assert.equal(v['2']?.deletion_time, '');
    assert.equal(v['3']?.deletion_time, printed(START + 1000));
    const read = await kv.call('read', 'data/s');
    assert.equal(read.status, 404);
    assert.deepEqual((read.data as { data: unknown }).data, null);
    assert.deepEqual((await kv.call('read', 'data/s', { version: 2 })).data?.data, { i: 2 });
  });

  it('undelete/ restores soft-deleted versions', async () => {
    const kv = await threeVersions();
    await kv.write('delete/s', { versions: '1,3' });
    assert.deepEqual(await kv.write('undelete/s', { versions: ['3'] }), {});
    assert.deepEqual((await kv.call('read', 'data/s')).data?.data, { i: 3 });
    assert.equal((await kv.call('read', 'data/s', { version: 1 })).status, 404);
  });

  it('destroy/ removes the data for good; undelete cannot bring it back', async () => {
    const kv = await threeVersions();
    await kv.write('delete/s', { versions: [2] });
    assert.deepEqual(await kv.write('destroy/s', { versions: [2, 3] }), {});
    const v = await versionsOf(kv);
    assert.equal(v['2']?.destroyed, true);
    assert.equal(v['3']?.destroyed, true);
    assert.equal(v['1']?.destroyed, false);
    assert.equal(await kv.storage.get('versions/s/2'), undefined);
    assert.equal(await kv.storage.get('versions/s/3'), undefined);
    const read = await kv.call('read', 'data/s');
    assert.deepEqual(read, {
      status: 404,
      data: {
        data: null,
        metadata: {
          created_time: printed(START),
          custom_metadata: null,
          deletion_time: '',
          destroyed: true,
          version: 3,
        },
      },
    });
    await kv.write('undelete/s', { versions: [2, 3] });
    assert.equal((await kv.call('read', 'data/s')).status, 404);
    assert.equal((await versionsOf(kv))['2']?.destroyed, true);
  });

  it('ignores unknown versions and missing secrets (204)', async () => {
    const kv = await threeVersions();
    for (const op of ['delete', 'undelete', 'destroy']) {
      assert.deepEqual(await kv.write(`${op}/s`, { versions: [99] }), {});
      assert.deepEqual(await kv.write(`${op}/none`, { versions: [1] }), {});
    }
    assert.deepEqual((await kv.call('read', 'data/s')).data?.data, { i: 3 });
  });

  it('requires versions, as a list of version numbers', async () => {
    const kv = await threeVersions();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /versions/],
      [{ versions: [] }, /no version number provided/],
      [{ versions: '' }, /no version number provided/],
      [{ versions: ['x'] }, /versions/],
      [{ versions: [-1] }, /versions/],
      [{ versions: [1.5] }, /versions/],
      [{ versions: { a: 1 } }, /versions/],
      [{ versions: [1], extra: 1 }, /unknown field/],
    ];
    for (const op of ['delete', 'undelete', 'destroy']) {
      for (const [body, message] of cases) {
        await assert.rejects(kv.write(`${op}/s`, body), (e: unknown) => {
          assert.ok(e instanceof InvalidFieldError, `${op} ${JSON.stringify(body)}`);
          assert.match(e.message, message);
          return true;
        });
      }
    }
    assert.deepEqual((await kv.call('read', 'data/s')).data?.data, { i: 3 });
  });
});
