import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../sdk/errors.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { IdentityStore } from './store.ts';
import type { IdentityChange } from './types.ts';

const login = (name: string, metadata?: Record<string, string>) => ({
  mountAccessor: 'auth_userpass_1',
  mountType: 'userpass',
  mountPath: 'auth/userpass/',
  name,
  ...(metadata ? { metadata } : {}),
});

async function newStore(inmem = new InmemStorage()) {
  const store = new IdentityStore({
    storage: new StorageView(inmem, ''),
    now: () => new Date(1_700_000_000_000),
  });
  await store.load();
  return { store, inmem };
}

describe('resolveAlias', () => {
  it('creates one entity on first login and finds it on the next', async () => {
    const { store } = await newStore();
    const a = await store.resolveAlias(login('alice', { user: 'alice' }));
    assert.match(a.name, /^entity_[0-9a-f]{8}$/);
    assert.equal(a.aliases.length, 1);
    assert.equal(a.aliases[0]!.canonical_id, a.id);
    assert.deepEqual(a.aliases[0]!.metadata, { user: 'alice' });
    const b = await store.resolveAlias(login('alice'));
    assert.equal(b.id, a.id);
    assert.equal(store.entities().length, 1);
    // Another mount with the same name is another identity.
    const c = await store.resolveAlias({ ...login('alice'), mountAccessor: 'auth_approle_2' });
    assert.notEqual(c.id, a.id);
  });

  it('makes ONE entity for concurrent first logins', async () => {
    const { store } = await newStore();
    const all = await Promise.all(Array.from({ length: 20 }, () => store.resolveAlias(login('bob'))));
    assert.equal(new Set(all.map((e) => e.id)).size, 1);
    assert.equal(store.entities().length, 1);
    assert.equal(store.aliases().length, 1);
  });

  it('updates alias metadata when a login brings new metadata', async () => {
    const { store } = await newStore();
    const e = await store.resolveAlias(login('carol', { team: 'a' }));
    await store.resolveAlias(login('carol', { team: 'b' }));
    assert.deepEqual(store.entity(e.id)!.aliases[0]!.metadata, { team: 'b' });
  });

  it('matches alias names case-insensitively, as Vault does by default', async () => {
    const { store } = await newStore();
    const e = await store.resolveAlias(login('Dave'));
    assert.equal((await store.resolveAlias(login('dave'))).id, e.id);
  });
});

describe('policiesFor', () => {
  it('gives direct groups and all ancestors (3 levels), and follows membership changes', async () => {
    const { store } = await newStore();
    const e = await store.resolveAlias(login('eve'));
    await store.writeEntity({ id: e.id, policies: ['own'] });
    const { group: leaf } = await store.writeGroup({
      name: 'leaf',
      policies: ['p-leaf'],
      member_entity_ids: [e.id],
    });
    const { group: mid } = await store.writeGroup({
      name: 'mid',
      policies: ['p-mid'],
      member_group_ids: [leaf.id],
    });
    const { group: top } = await store.writeGroup({
      name: 'top',
      policies: ['p-top', 'p-mid'],
      member_group_ids: [mid.id],
    });
    await store.writeGroup({ name: 'unrelated', policies: ['nope'] });

    let p = await store.policiesFor(e.id);
    assert.deepEqual(p.entityPolicies, ['own']);
    assert.deepEqual(p.groupPolicies, ['p-leaf', 'p-mid', 'p-top']);
    assert.deepEqual(p.groups, [
      { id: leaf.id, name: 'leaf' },
      { id: mid.id, name: 'mid' },
      { id: top.id, name: 'top' },
    ]);
    assert.deepEqual(store.groupIdsOf(e.id), { direct: [leaf.id], inherited: [mid.id, top.id] });

    // Cut mid from top: top's policies go.
    await store.writeGroup({ id: top.id, member_group_ids: [] });
    p = await store.policiesFor(e.id);
    assert.deepEqual(p.groupPolicies, ['p-leaf', 'p-mid']);
    // Policy change on a group shows at once.
    await store.writeGroup({ id: leaf.id, policies: ['p-leaf2'] });
    assert.deepEqual((await store.policiesFor(e.id)).groupPolicies, ['p-leaf2', 'p-mid']);
    // Entity leaves leaf: nothing from groups.
    await store.writeGroup({ id: leaf.id, member_entity_ids: [] });
    p = await store.policiesFor(e.id);
    assert.deepEqual(p, { entityPolicies: ['own'], groupPolicies: [], groups: [] });
    // Deleting a group removes it from its parents.
    await store.writeGroup({ id: leaf.id, member_entity_ids: [e.id] });
    await store.deleteGroup(mid.id);
    assert.deepEqual(store.group(leaf.id)!.parent_group_ids, []);
    assert.deepEqual((await store.policiesFor(e.id)).groupPolicies, ['p-leaf2']);
  });

  it('answers empty lists for an unknown entity', async () => {
    const { store } = await newStore();
    assert.deepEqual(await store.policiesFor('nope'), { entityPolicies: [], groupPolicies: [], groups: [] });
  });

  it('does not let callers mutate the cache', async () => {
    const { store } = await newStore();
    const { entity } = await store.writeEntity({ name: 'x', policies: ['a'] });
    (await store.policiesFor(entity.id)).entityPolicies.push('root');
    assert.deepEqual((await store.policiesFor(entity.id)).entityPolicies, ['a']);
  });
});

describe('groups', () => {
  it('refuses cycles, self-membership and unknown members (400)', async () => {
    const { store } = await newStore();
    const { group: a } = await store.writeGroup({ name: 'a' });
    const { group: b } = await store.writeGroup({ name: 'b', member_group_ids: [a.id] });
    const { group: c } = await store.writeGroup({ name: 'c', member_group_ids: [b.id] });
    await assert.rejects(store.writeGroup({ id: a.id, member_group_ids: [c.id] }), /cycle/);
    await assert.rejects(store.writeGroup({ id: a.id, member_group_ids: [a.id] }), BadRequestError);
    await assert.rejects(store.writeGroup({ name: 'd', member_group_ids: ['nope'] }), /does not exist/);
    await assert.rejects(store.writeGroup({ name: 'd', member_entity_ids: ['nope'] }), /does not exist/);
    await assert.rejects(store.writeGroup({ name: 'd', type: 'external' }), /external/);
    await assert.rejects(store.writeGroup({ name: 'd', policies: ['root'] }), /root/);
    assert.equal(store.groupByName('d'), undefined);
    assert.deepEqual(store.group(a.id)!.parent_group_ids, [b.id]);
  });

  it('keeps names unique case-insensitively and updates by name', async () => {
    const { store } = await newStore();
    const { group, created } = await store.writeGroup({ name: 'Ops' });
    assert.equal(created, true);
    const again = await store.writeGroup({ name: 'ops', policies: ['x'] });
    assert.equal(again.created, false);
    assert.equal(again.group.id, group.id);
    assert.equal(again.group.name, 'ops');
    const { group: other } = await store.writeGroup({ name: 'dev' });
    await assert.rejects(store.writeGroup({ id: other.id, name: 'OPS' }), /already in use/);
  });
});

describe('entities', () => {
  it('disable is visible at once through isDisabled', async () => {
    const { store } = await newStore();
    const e = await store.resolveAlias(login('frank'));
    assert.equal(store.isDisabled(e.id), false);
    await store.writeEntity({ id: e.id, disabled: true });
    assert.equal(store.isDisabled(e.id), true);
    await store.writeEntity({ name: e.name, disabled: false });
    assert.equal(store.isDisabled(e.id), false);
    assert.equal(store.isDisabled('unknown'), false);
  });

  it('keeps names unique case-insensitively', async () => {
    const { store } = await newStore();
    await store.writeEntity({ name: 'Alice' });
    const { entity: bob } = await store.writeEntity({ name: 'bob' });
    await assert.rejects(store.writeEntity({ id: bob.id, name: 'alice' }), /already in use/);
    await assert.rejects(store.writeEntity({ id: 'missing' }), /not found/);
    await assert.rejects(store.writeEntity({ name: 'a/b' }), /invalid entity name/);
  });

  it('deleting an entity deletes its aliases and removes it from groups', async () => {
    const { store } = await newStore();
    const e = await store.resolveAlias(login('gina'));
    const { group } = await store.writeGroup({ name: 'g', member_entity_ids: [e.id] });
    assert.equal(await store.deleteEntity(e.id), true);
    assert.equal(store.entity(e.id), undefined);
    assert.equal(store.aliases().length, 0);
    assert.deepEqual(store.group(group.id)!.member_entity_ids, []);
    // The alias is free again: a new login makes a new entity.
    assert.notEqual((await store.resolveAlias(login('gina'))).id, e.id);
    assert.equal(await store.deleteEntity('nope'), false);
  });

  it('merges entities: aliases and groups move, old ids resolve to the new entity', async () => {
    const { store } = await newStore();
    const a = await store.resolveAlias(login('h1'));
    const b = await store.resolveAlias({ ...login('h2'), mountAccessor: 'auth_approle_2' });
    const { group } = await store.writeGroup({ name: 'g', policies: ['gp'], member_entity_ids: [b.id] });
    await store.mergeEntities({ fromIds: [b.id], toId: a.id });
    assert.equal(store.entity(b.id)!.id, a.id);
    assert.equal(store.entity(a.id)!.aliases.length, 2);
    assert.deepEqual(store.group(group.id)!.member_entity_ids, [a.id]);
    assert.deepEqual((await store.policiesFor(b.id)).groupPolicies, ['gp']);
    assert.equal((await store.resolveAlias({ ...login('h2'), mountAccessor: 'auth_approle_2' })).id, a.id);
    // Conflicting aliases on one mount need a choice.
    const c = await store.resolveAlias(login('h3'));
    await assert.rejects(store.mergeEntities({ fromIds: [c.id], toId: a.id }), /conflicting/);
    const keep = store.entity(c.id)!.aliases[0]!.id;
    await store.mergeEntities({ fromIds: [c.id], toId: a.id, keepAliasIds: [keep] });
    assert.deepEqual(
      store
        .entity(a.id)!
        .aliases.map((x) => x.name)
        .sort(),
      ['h2', 'h3'],
    );
    assert.equal(store.aliasByFactors('auth_userpass_1', 'h1'), undefined);
  });

  it('an entity has at most one alias per mount; aliases can move', async () => {
    const mount = { accessor: 'auth_userpass_1', type: 'userpass', path: 'auth/userpass/' };
    const { store } = await newStore();
    const { entity } = await store.writeEntity({ name: 'ivy' });
    const { alias, created } = await store.writeAlias({ name: 'ivy1', mount, canonicalId: entity.id });
    assert.equal(created, true);
    await assert.rejects(
      store.writeAlias({ name: 'ivy2', mount, canonicalId: entity.id }),
      /already has an alias/,
    );
    const { entity: other } = await store.writeEntity({ name: 'other' });
    await store.writeAlias({ id: alias.id, canonicalId: other.id });
    assert.equal(store.entity(entity.id)!.aliases.length, 0);
    assert.equal(store.alias(alias.id)!.canonical_id, other.id);
    // Without canonical id, a create makes a new entity.
    const solo = await store.writeAlias({ name: 'solo', mount });
    assert.ok(store.entity(solo.alias.canonical_id));
    await assert.rejects(
      store.writeAlias({ name: 'solo', mount, canonicalId: other.id }),
      /already has an alias/,
    );
    assert.equal(await store.deleteAlias(alias.id), true);
    assert.equal(store.alias(alias.id), undefined);
  });
});

describe('persistence and events', () => {
  it('a new store over the same storage has the same data', async () => {
    const { store, inmem } = await newStore();
    const e = await store.resolveAlias(login('jack', { k: 'v' }));
    await store.writeEntity({ id: e.id, policies: ['p'], metadata: { team: 't' }, disabled: true });
    const { group: inner } = await store.writeGroup({
      name: 'inner',
      member_entity_ids: [e.id],
      policies: ['gi'],
    });
    await store.writeGroup({ name: 'outer', member_group_ids: [inner.id], policies: ['go'] });
    const { store: again } = await newStore(inmem);
    assert.deepEqual(again.entities(), store.entities());
    assert.deepEqual(again.groups(), store.groups());
    assert.deepEqual(await again.policiesFor(e.id), await store.policiesFor(e.id));
    assert.equal(again.isDisabled(e.id), true);
    assert.equal((await again.resolveAlias(login('jack'))).id, e.id);
  });

  it('unload forgets; calls before load fail', async () => {
    const { store } = await newStore();
    await store.writeEntity({ name: 'k' });
    store.unload();
    assert.equal(store.entityByName('k'), undefined);
    await assert.rejects(store.writeEntity({ name: 'x' }), /not loaded/);
    await store.load();
    assert.ok(store.entityByName('k'));
  });

  it('fires onChange after each write, and not after a failed one', async () => {
    const { store } = await newStore();
    const seen: IdentityChange[] = [];
    const off = store.onChange((c) => seen.push(c));
    const e = await store.resolveAlias(login('liz'));
    await store.resolveAlias(login('liz')); // no change
    await store.writeEntity({ id: e.id, policies: ['x'] });
    const { group } = await store.writeGroup({ name: 'g', member_entity_ids: [e.id] });
    await assert.rejects(store.writeGroup({ name: 'g2', member_group_ids: ['missing'] }));
    await store.deleteEntity(e.id);
    assert.deepEqual(
      seen.map((c) => `${c.kind}:${c.op}`),
      ['entity:upsert', 'alias:upsert', 'entity:upsert', 'group:upsert', 'entity:delete', 'group:upsert'],
    );
    assert.deepEqual(seen.at(-1)!.ids, [group.id]);
    off();
    await store.writeEntity({ name: 'quiet' });
    assert.equal(seen.length, 6);
  });

  it('templateIdentity shows entity, aliases and all groups', async () => {
    const { store } = await newStore();
    const e = await store.resolveAlias(login('max', { role: 'dev' }));
    await store.writeEntity({ id: e.id, metadata: { team: 'core' } });
    const { group: g1 } = await store.writeGroup({ name: 'g1', member_entity_ids: [e.id] });
    const { group: g2 } = await store.writeGroup({ name: 'g2', member_group_ids: [g1.id] });
    const t = store.templateIdentity(e.id)!;
    assert.equal(t.entity.name, e.name);
    assert.deepEqual(t.entity.metadata, { team: 'core' });
    assert.deepEqual(t.entity.aliases[0], {
      id: e.aliases[0]!.id,
      mountAccessor: 'auth_userpass_1',
      name: 'max',
      metadata: { role: 'dev' },
      customMetadata: {},
    });
    assert.deepEqual(
      t.groups.map((g) => g.id),
      [g1.id, g2.id],
    );
    assert.equal(store.templateIdentity('nope'), undefined);
  });
});
