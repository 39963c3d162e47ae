import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidFieldError } from '../../../sdk/index.ts';
import { kvHarness } from '../test-helper.ts';

describe('kv v2 config', () => {
  it('reads the defaults', async () => {
    const kv = await kvHarness();
    assert.deepEqual(await kv.call('read', 'config'), {
      data: { cas_required: false, delete_version_after: '0s', max_versions: 0 },
    });
  });

  it('writes settings (204), keeping those not sent', async () => {
    const kv = await kvHarness();
    assert.deepEqual(await kv.write('config', { max_versions: 4, cas_required: true }), {});
    await kv.write('config', { delete_version_after: '90m' });
    assert.deepEqual((await kv.call('read', 'config')).data, {
      cas_required: true,
      delete_version_after: '1h30m0s',
      max_versions: 4,
    });
  });

  const durations: [unknown, string][] = [
    ['0s', '0s'],
    [0, '0s'],
    ['90s', '1m30s'],
    [3600, '1h0m0s'],
    ['1h', '1h0m0s'],
    ['1h2m3s', '1h2m3s'],
    ['2d', '48h0m0s'],
    ['-1s', '-1s'],
  ];
  for (const [input, shown] of durations) {
    it(`delete_version_after ${JSON.stringify(input)} reads as ${shown}`, async () => {
      const kv = await kvHarness();
      await kv.write('config', { delete_version_after: input });
      assert.equal((await kv.call('read', 'config')).data?.delete_version_after, shown);
    });
  }

  it('refuses bad values and unknown fields', async () => {
    const kv = await kvHarness();
    const cases: Record<string, unknown>[] = [
      { max_versions: -1 },
      { max_versions: 'ten' },
      { max_versions: true },
      { cas_required: 'sure' },
      { cas_required: 2 },
      { delete_version_after: 'later' },
      { delete_version_after: {} },
      { delete_version_after: '9999999999999h' },
      { delete_version_after: 1e300 },
      { versions: 3 },
    ];
    for (const body of cases) {
      await assert.rejects(kv.write('config', body), InvalidFieldError, JSON.stringify(body));
    }
    assert.equal((await kv.call('read', 'config')).data?.max_versions, 0);
  });

  it('refuses a delete_version_after too long for the clock; secrets stay readable', async () => {
    // it used to be stored, and every write and read of a secret after it failed (500:
    // the deletion time was not a date)
    const kv = await kvHarness();
    await assert.rejects(kv.write('config', { delete_version_after: 1e300 }), /at most 2562047h/);
    await kv.write('data/app', { data: { a: 'b' } });
    assert.deepEqual((await kv.call('read', 'data/app')).data?.data, { a: 'b' });
    await kv.write('config', { delete_version_after: '2562047h' });
    await kv.write('data/app', { data: { a: 'c' } });
    assert.deepEqual((await kv.call('read', 'data/app')).data?.data, { a: 'c' });
  });
});
