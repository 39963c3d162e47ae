import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, NotFoundError, UnsupportedOperationError } from '../../sdk/index.ts';
import { kvHarness } from './test-helper.ts';

const v1 = () => kvHarness({});

describe('kv v1', () => {
  it('is the default when the mount has no version option', async () => {
    const kv = await kvHarness({});
    assert.equal(kv.backend.definition, (await import('./v1.ts')).kvV1Backend);
  });

  it('writes, reads, overwrites and deletes a secret', async () => {
    const kv = await v1();
    assert.deepEqual(await kv.write('app/db', { user: 'u', password: 'p', n: 1, nested: { a: [1] } }), {});
    assert.deepEqual(await kv.call('read', 'app/db'), {
      data: { user: 'u', password: 'p', n: 1, nested: { a: [1] } },
      envelope: { lease_duration: 32 * 24 * 3600 },
    });
    await kv.write('app/db', { only: 'this' });
    assert.deepEqual((await kv.call('read', 'app/db')).data, { only: 'this' });
    assert.deepEqual(await kv.call('delete', 'app/db'), {});
    await assert.rejects(kv.call('read', 'app/db'), NotFoundError);
  });

  it('answers 404 for a missing secret and 204 for deleting one', async () => {
    const kv = await v1();
    await assert.rejects(kv.call('read', 'nope'), NotFoundError);
    assert.deepEqual(await kv.call('delete', 'nope'), {});
  });

  it('refuses an empty write as Vault does ("missing data fields")', async () => {
    const kv = await v1();
    await assert.rejects(
      kv.write('x', {}),
      (e: unknown) => e instanceof BadRequestError && /missing data/.test(e.message),
    );
  });

  it('stores any field, including "path"', async () => {
    const kv = await v1();
    await kv.write('x', { path: 'not/the/path', ttl: '1h' });
    assert.deepEqual((await kv.call('read', 'x')).data, { path: 'not/the/path', ttl: '1h' });
  });

  it("answers lease_duration from the secret's ttl or lease field, else the default; refuses a bad ttl", async () => {
    const kv = await v1();
    const duration = async (p: string) => (await kv.call('read', p)).envelope?.lease_duration;
    await kv.write('plain', { k: 'v' });
    assert.equal(await duration('plain'), 32 * 24 * 3600);
    await kv.write('hour', { k: 'v', ttl: '1h' });
    assert.equal(await duration('hour'), 3600);
    await kv.write('secs', { k: 'v', ttl: 90 });
    assert.equal(await duration('secs'), 90);
    await kv.write('lease', { k: 'v', lease: '2m' });
    assert.equal(await duration('lease'), 120);
    for (const ttl of ['soon', '-5s', true, { h: 1 }, '9999999999999h', 1e300]) {
      await assert.rejects(
        kv.write('bad', { k: 'v', ttl }),
        (e: unknown) => e instanceof BadRequestError && /failed to parse ttl/.test(e.message),
        JSON.stringify(ttl),
      );
    }
    await assert.rejects(kv.call('read', 'bad'), NotFoundError);
  });

  it('has an existence check for create vs update', async () => {
    const kv = await v1();
    const req = (await import('./test-helper.ts')).kvRequest;
    assert.equal(await kv.backend.exists(req('update', 'a')), false);
    await kv.write('a', { k: 'v' });
    assert.equal(await kv.backend.exists(req('update', 'a')), true);
  });

  it('lists one level, folders with a trailing slash, 404 when empty', async () => {
    const kv = await v1();
    await assert.rejects(kv.call('list', ''), NotFoundError);
    for (const p of ['a', 'a/b', 'a/c/d', 'z']) await kv.write(p, { k: 'v' });
    const cases: [string, string[]][] = [
      ['', ['a', 'a/', 'z']],
      ['a', ['b', 'c/']],
      ['a/c', ['d']],
    ];
    for (const [folder, keys] of cases) {
      assert.deepEqual(await kv.call('list', folder), { data: { keys } }, folder);
    }
    await assert.rejects(kv.call('list', 'z'), NotFoundError);
  });

  it('supports only list at the mount root', async () => {
    const kv = await v1();
    await assert.rejects(kv.call('read', ''), UnsupportedOperationError);
  });

  it('refuses an unknown version', async () => {
    await assert.rejects(kvHarness({ version: '3' }), BadRequestError);
  });
});
