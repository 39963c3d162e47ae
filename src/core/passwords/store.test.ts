import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { BadRequestError, NotFoundError } from '../../sdk/errors.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { PasswordPolicyStore } from './store.ts';

const TEXT = 'length = 12\nrule "charset" {\n  charset = "abc"\n  min-chars = 1\n}';
let raw: StorageView;
let store: PasswordPolicyStore;

beforeEach(() => {
  raw = new StorageView(new InmemStorage(), '');
  store = new PasswordPolicyStore(raw.sub('sys/password_policy/'));
});

describe('PasswordPolicyStore', () => {
  it('puts, gets, lists and deletes; stores { policy } at policy/<name>', async () => {
    await store.put('web', TEXT);
    await store.put('db', TEXT);
    assert.equal(await store.get('web'), TEXT);
    assert.deepEqual(await raw.getJSON('sys/password_policy/policy/web'), { policy: TEXT });
    assert.deepEqual(await store.list(), ['db', 'web']);
    await store.delete('web');
    assert.equal(await store.get('web'), undefined);
    assert.deepEqual(await store.list(), ['db']);
    await store.delete('nope');
  });

  it('refuses invalid policies and names without storing them', async () => {
    await assert.rejects(
      store.put('bad', 'length = 2\nrule "charset" {\n  charset = "a"\n}'),
      BadRequestError,
    );
    await assert.rejects(store.put('a/b', TEXT), BadRequestError);
    await assert.rejects(store.put('', TEXT), BadRequestError);
    await assert.rejects(store.get('../x'), BadRequestError);
    assert.deepEqual(await store.list(), []);
  });

  it('refuses a policy it cannot generate from, as Vault does', async () => {
    const strict = new PasswordPolicyStore(raw, { rng: () => 0 });
    await assert.rejects(
      strict.put(
        'x',
        'length = 4\nrule "charset" {\n  charset = "ab"\n}\nrule "charset" {\n  charset = "b"\n  min-chars = 1\n}',
      ),
      /unable to generate a password/,
    );
  });

  it('generates from a stored policy', async () => {
    await store.put('web', TEXT);
    const pw = await store.generate('web');
    assert.match(pw, /^[abc]{12}$/);
    assert.notEqual(await store.generate('web'), pw);
    await assert.rejects(store.generate('nope'), NotFoundError);
  });
});
