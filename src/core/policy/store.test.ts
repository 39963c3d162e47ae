import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../sdk/errors.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { DEFAULT_POLICY_TEXT } from './builtin.ts';
import { PolicyStore } from './store.ts';

async function fresh() {
  const inmem = new InmemStorage();
  const view = new StorageView(inmem, 'sys/policy/');
  const store = new PolicyStore(view);
  await store.load();
  return { inmem, view, store };
}

const READ_A = 'path "a/*" { capabilities = ["read"] }';

describe('PolicyStore', () => {
  it('creates default on first load and keeps an edited default on the next', async () => {
    const { view, store } = await fresh();
    assert.equal(await store.getText('default'), DEFAULT_POLICY_TEXT);
    assert.deepEqual(await store.list(), ['default', 'root']);
    await store.put('default', READ_A);
    const again = new PolicyStore(view);
    await again.load();
    assert.equal(await again.getText('default'), READ_A);
  });

  it('stores under acl/<name> in its view, as JSON with the text', async () => {
    const { inmem, store } = await fresh();
    await store.put('Ops', READ_A);
    const raw = await inmem.get('sys/policy/acl/ops');
    assert.ok(raw);
    assert.deepEqual(JSON.parse(raw.toString('utf8')), { version: 1, name: 'ops', raw: READ_A });
  });

  it('names are case-insensitive', async () => {
    const { store } = await fresh();
    await store.put('DevTeam', READ_A);
    assert.equal((await store.get('devteam'))?.name, 'devteam');
    assert.equal(await store.getText('DEVTEAM'), READ_A);
    assert.deepEqual(await store.list(), ['default', 'devteam', 'root']);
  });

  it('validates on put', async () => {
    const { store } = await fresh();
    await assert.rejects(store.put('x', 'path "a" { capabilities = ["fly"] }'), BadRequestError);
    await assert.rejects(store.put('bad name', READ_A), BadRequestError);
    assert.equal(await store.get('x'), undefined);
  });

  it('root is built in and immutable; root and default cannot be deleted', async () => {
    const { store } = await fresh();
    assert.equal((await store.get('root'))?.name, 'root');
    assert.equal(await store.getText('root'), '');
    await assert.rejects(store.put('root', READ_A), { message: 'cannot update "root" policy' });
    await assert.rejects(store.put('Response-Wrapping', READ_A), BadRequestError);
    await assert.rejects(store.delete('ROOT'), { message: 'cannot delete "root" policy', status: 400 });
    await assert.rejects(store.delete('default'), { message: 'cannot delete "default" policy' });
    await store.delete('never-existed');
  });

  it('response-wrapping is built in but not listed', async () => {
    const { store } = await fresh();
    const acl = await store.aclFor(['response-wrapping']);
    assert.equal(acl.allowOperation('cubbyhole/response', 'read').allowed, true);
    assert.ok(!(await store.list()).includes('response-wrapping'));
  });

  it('aclFor skips unknown names, caches, and is invalidated by put and delete', async () => {
    const { store } = await fresh();
    await store.put('a', READ_A);
    const first = await store.aclFor(['a', 'ghost', 'default', 'A']);
    assert.equal(first.allowOperation('a/x', 'read').allowed, true);
    assert.equal(first.allowOperation('auth/token/lookup-self', 'read').allowed, true);
    assert.equal(await store.aclFor(['default', 'a']), first, 'same set, other order: cached');

    await store.put('a', 'path "a/*" { capabilities = ["deny"] }');
    const second = await store.aclFor(['a', 'default']);
    assert.notEqual(second, first);
    assert.equal(second.allowOperation('a/x', 'read').allowed, false);

    await store.delete('a');
    const third = await store.aclFor(['a', 'default']);
    assert.notEqual(third, second);
    assert.deepEqual(third.capabilities('a/x'), ['deny']);
    assert.equal(await store.get('a'), undefined);
  });

  it('root in the set gives a root ACL', async () => {
    const { store } = await fresh();
    assert.equal((await store.aclFor(['root'])).root, true);
    assert.equal((await store.aclFor(['default'])).root, false);
  });

  it('templated policies are cached per identity', async () => {
    const { store } = await fresh();
    const id = (name: string) => ({
      entity: { id: `id-${name}`, name, metadata: {}, aliases: [] },
      groups: [],
    });
    const alice = await store.aclFor(['default'], id('alice'));
    assert.equal(await store.aclFor(['default'], id('alice')), alice);
    const bob = await store.aclFor(['default'], id('bob'));
    assert.notEqual(bob, alice);
    assert.equal(alice.allowOperation('identity/entity/name/alice', 'read').allowed, true);
    assert.equal(bob.allowOperation('identity/entity/name/alice', 'read').allowed, false);
    // a set without templates ignores the identity
    await store.put('plain', READ_A);
    assert.equal(await store.aclFor(['plain'], id('alice')), await store.aclFor(['plain'], id('bob')));
  });
});
