import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, InvalidFieldError, NotFoundError } from '../../sdk/errors.ts';
import { identityHarness } from './test-helper.ts';

const T = '2024-01-02T03:04:05.678Z';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('entity paths', () => {
  it('creates (200 with id, name) and updates (204) through entity and entity/name/:name', async () => {
    const h = await identityHarness();
    const res = await h.call('update', 'entity', {
      name: 'alice',
      metadata: { team: 'core', n: 1 },
      policies: 'p2,p1,p1',
    });
    const id = res.data!.id as string;
    assert.match(id, UUID);
    assert.deepEqual(res.data, { id, name: 'alice', aliases: null });
    // The same name again is an update: 204.
    assert.deepEqual(await h.call('update', 'entity', { name: 'alice', disabled: true }), {});
    const read = await h.call('read', `entity/id/${id}`);
    assert.deepEqual(read.data, {
      id,
      name: 'alice',
      metadata: { team: 'core', n: '1' },
      policies: ['p1', 'p2'],
      disabled: true,
      aliases: [],
      direct_group_ids: [],
      group_ids: [],
      inherited_group_ids: [],
      creation_time: T,
      last_update_time: T,
      merged_entity_ids: null,
      namespace_id: 'root',
      mfa_secrets: {},
    });
    // entity/name/:name: create-or-update, decided by the existence check.
    assert.equal(await h.backend.exists({ ...req('entity/name/bob') }), false);
    const bob = await h.call('write', 'entity/name/bob', { metadata: ['a=b', 'c=d=e'] });
    assert.equal(bob.data!.name, 'bob');
    assert.deepEqual((await h.call('read', 'entity/name/BOB')).data!.metadata, { a: 'b', c: 'd=e' });
    assert.deepEqual(await h.call('write', 'entity/name/bob', { policies: ['x'] }), {});
    // entity/id/:id update, then rename.
    assert.deepEqual(await h.call('update', `entity/id/${id}`, { name: 'alice2' }), {});
    assert.equal((await h.call('read', 'entity/name/alice2')).data!.id, id);
    await assert.rejects(h.call('update', `entity/id/${id}`, { name: 'bob' }), /already in use/);
    await assert.rejects(h.call('update', 'entity/id/nope', { name: 'z' }), BadRequestError);
    await assert.rejects(h.call('update', 'entity', { name: 'y', bogus: 1 }), InvalidFieldError);
    await assert.rejects(h.call('update', 'entity', { name: 'y', metadata: 5 }), InvalidFieldError);
    await assert.rejects(h.call('update', 'entity', { name: 'y', policies: ['root'] }), /root/);
  });

  it('lists by id and name, and 404s when empty or missing', async () => {
    const h = await identityHarness();
    await assert.rejects(h.call('list', 'entity/id'), NotFoundError);
    await assert.rejects(h.call('read', 'entity/id/nope'), NotFoundError);
    await assert.rejects(h.call('read', 'entity/name/nope'), NotFoundError);
    const e = await h.store.resolveAlias({
      mountAccessor: 'auth_userpass_1',
      mountType: 'userpass',
      mountPath: 'auth/userpass/',
      name: 'carol',
    });
    const { entity: d } = await h.store.writeEntity({ name: 'dave' });
    const byId = await h.call('list', 'entity/id');
    assert.deepEqual(byId.data!.keys, [e.id, d.id].sort());
    const info = (byId.data!.key_info as Record<string, Record<string, unknown>>)[e.id]!;
    assert.equal(info.name, e.name);
    assert.equal(info.disabled, false);
    assert.deepEqual(info.aliases, [
      {
        id: e.aliases[0]!.id,
        name: 'carol',
        mount_accessor: 'auth_userpass_1',
        mount_path: 'auth/userpass/',
        mount_type: 'userpass',
        creation_time: T,
        last_update_time: T,
      },
    ]);
    const byName = await h.call('list', 'entity/name');
    assert.deepEqual(byName.data!.keys, ['dave', e.name].sort());
  });

  it('delete removes aliases and group memberships; batch-delete; deletes are idempotent', async () => {
    const h = await identityHarness();
    const a = (await h.call('update', 'entity', { name: 'a' })).data!.id as string;
    const b = (await h.call('update', 'entity', { name: 'b' })).data!.id as string;
    const c = (await h.call('update', 'entity', { name: 'c' })).data!.id as string;
    await h.call('update', 'entity-alias', {
      name: 'a1',
      mount_accessor: 'auth_userpass_1',
      canonical_id: a,
    });
    const g = (await h.call('update', 'group', { name: 'g', member_entity_ids: [a, b, c] })).data!
      .id as string;
    assert.deepEqual(await h.call('delete', `entity/id/${a}`), {});
    assert.deepEqual(await h.call('delete', `entity/id/${a}`), {});
    await assert.rejects(h.call('list', 'entity-alias/id'), NotFoundError);
    await h.call('delete', 'entity/name/b');
    assert.deepEqual((await h.call('read', `group/id/${g}`)).data!.member_entity_ids, [c]);
    await h.call('update', 'entity/batch-delete', { entity_ids: [c, 'unknown'] });
    await assert.rejects(h.call('list', 'entity/id'), NotFoundError);
    assert.deepEqual((await h.call('read', `group/id/${g}`)).data!.member_entity_ids, []);
  });

  it('merges entities', async () => {
    const h = await identityHarness();
    const a = (await h.call('update', 'entity', { name: 'a' })).data!.id as string;
    const b = (await h.call('update', 'entity', { name: 'b' })).data!.id as string;
    await h.call('update', 'entity-alias', {
      name: 'b1',
      mount_accessor: 'auth_userpass_1',
      canonical_id: b,
    });
    assert.deepEqual(await h.call('update', 'entity/merge', { from_entity_ids: [b], to_entity_id: a }), {});
    const read = await h.call('read', `entity/id/${a}`);
    assert.deepEqual(read.data!.merged_entity_ids, [b]);
    assert.equal((read.data!.aliases as unknown[]).length, 1);
    await assert.rejects(
      h.call('update', 'entity/merge', { from_entity_ids: [a], to_entity_id: a }),
      BadRequestError,
    );
  });
});

describe('entity-alias paths', () => {
  it('creates, reads, lists, updates and deletes aliases', async () => {
    const h = await identityHarness();
    const eid = (await h.call('update', 'entity', { name: 'e' })).data!.id as string;
    const res = await h.call('update', 'entity-alias', {
      name: 'bob',
      canonical_id: eid,
      mount_accessor: 'auth_userpass_1',
      custom_metadata: { k: 'v' },
    });
    const id = res.data!.id as string;
    assert.deepEqual(res.data, { id, canonical_id: eid });
    assert.deepEqual((await h.call('read', `entity-alias/id/${id}`)).data, {
      id,
      canonical_id: eid,
      mount_accessor: 'auth_userpass_1',
      mount_path: 'auth/userpass/',
      mount_type: 'userpass',
      name: 'bob',
      metadata: null,
      custom_metadata: { k: 'v' },
      creation_time: T,
      last_update_time: T,
      merged_from_canonical_ids: null,
      local: false,
      namespace_id: 'root',
    });
    const entity = await h.call('read', `entity/id/${eid}`);
    assert.equal((entity.data!.aliases as Array<Record<string, unknown>>)[0]!.name, 'bob');
    const list = await h.call('list', 'entity-alias/id');
    assert.deepEqual(list.data, {
      keys: [id],
      key_info: {
        [id]: {
          canonical_id: eid,
          custom_metadata: { k: 'v' },
          local: false,
          mount_accessor: 'auth_userpass_1',
          mount_path: 'auth/userpass/',
          mount_type: 'userpass',
          name: 'bob',
        },
      },
    });
    // Update: rename and move to another mount.
    const upd = await h.call('update', `entity-alias/id/${id}`, {
      name: 'bobby',
      mount_accessor: 'auth_approle_2',
    });
    assert.deepEqual(upd.data, { id, canonical_id: eid });
    const moved = await h.call('read', `entity-alias/id/${id}`);
    assert.equal(moved.data!.name, 'bobby');
    assert.equal(moved.data!.mount_type, 'approle');
    // Without canonical_id a new entity is made; same mount+name again updates that alias.
    const solo = await h.call('update', 'entity-alias', { name: 'solo', mount_accessor: 'auth_userpass_1' });
    const again = await h.call('update', 'entity-alias', { name: 'SOLO', mount_accessor: 'auth_userpass_1' });
    assert.deepEqual(again.data, solo.data);
    await assert.rejects(
      h.call('update', 'entity-alias', { name: 'x', mount_accessor: 'auth_unknown' }),
      /invalid mount accessor/,
    );
    await assert.rejects(
      h.call('update', 'entity-alias', {
        name: 'x',
        mount_accessor: 'auth_userpass_1',
        canonical_id: 'nope',
      }),
      /invalid canonical id/,
    );
    await assert.rejects(
      h.call('update', 'entity-alias', { mount_accessor: 'auth_userpass_1' }),
      /missing alias name/,
    );
    assert.deepEqual(await h.call('delete', `entity-alias/id/${id}`), {});
    await assert.rejects(h.call('read', `entity-alias/id/${id}`), NotFoundError);
  });
});

describe('group paths', () => {
  it('creates (200 with id, name), updates (204), reads, lists and deletes groups', async () => {
    const h = await identityHarness();
    const eid = (await h.call('update', 'entity', { name: 'e' })).data!.id as string;
    const child = await h.call('update', 'group', { name: 'child', member_entity_ids: eid, policies: 'c' });
    const cid = child.data!.id as string;
    assert.deepEqual(child.data, { id: cid, name: 'child' });
    const parent = await h.call('write', 'group/name/parent', { member_group_ids: [cid], policies: ['p'] });
    const pid = parent.data!.id as string;
    assert.deepEqual(await h.call('update', 'group', { name: 'child', metadata: 'k=v' }), {});
    assert.deepEqual((await h.call('read', `group/id/${cid}`)).data, {
      id: cid,
      name: 'child',
      type: 'internal',
      policies: ['c'],
      member_entity_ids: [eid],
      member_group_ids: null,
      parent_group_ids: [pid],
      metadata: { k: 'v' },
      creation_time: T,
      last_update_time: T,
      modify_index: 2,
      alias: {},
      namespace_id: 'root',
    });
    assert.equal((await h.call('read', 'group/name/PARENT')).data!.id, pid);
    const entity = await h.call('read', `entity/id/${eid}`);
    assert.deepEqual(entity.data!.direct_group_ids, [cid]);
    assert.deepEqual(entity.data!.inherited_group_ids, [pid]);
    assert.deepEqual(entity.data!.group_ids, [cid, pid]);
    assert.deepEqual((await h.call('list', 'group/id')).data, {
      keys: [cid, pid].sort(),
      key_info: {
        [cid]: { name: 'child', num_member_entities: 1, num_parent_groups: 1 },
        [pid]: { name: 'parent', num_member_entities: 0, num_parent_groups: 0 },
      },
    });
    assert.deepEqual((await h.call('list', 'group/name')).data!.keys, ['child', 'parent']);
    // Cycle, unknown members, external type: 400.
    await assert.rejects(h.call('update', `group/id/${cid}`, { member_group_ids: [pid] }), /cycle/);
    await assert.rejects(
      h.call('update', 'group', { name: 'x', member_entity_ids: ['nope'] }),
      BadRequestError,
    );
    await assert.rejects(h.call('update', 'group', { name: 'x', type: 'external' }), /external/);
    // Delete by name removes the parent link.
    assert.deepEqual(await h.call('delete', 'group/name/parent'), {});
    assert.equal((await h.call('read', `group/id/${cid}`)).data!.parent_group_ids, null);
    await h.call('delete', `group/id/${cid}`);
    await assert.rejects(h.call('list', 'group/id'), NotFoundError);
  });
});

describe('lookup paths', () => {
  it('finds entities by name, id, alias id and alias name; 204 when none', async () => {
    const h = await identityHarness();
    const eid = (await h.call('update', 'entity', { name: 'e' })).data!.id as string;
    const aid = (
      await h.call('update', 'entity-alias', {
        name: 'al',
        mount_accessor: 'auth_userpass_1',
        canonical_id: eid,
      })
    ).data!.id as string;
    for (const q of [
      { name: 'E' },
      { id: eid },
      { alias_id: aid },
      { alias_name: 'al', alias_mount_accessor: 'auth_userpass_1' },
    ]) {
      const res = await h.call('update', 'lookup/entity', q);
      assert.equal(res.data!.id, eid, JSON.stringify(q));
      assert.equal(res.data!.namespace_id, 'root');
    }
    assert.deepEqual(await h.call('update', 'lookup/entity', { name: 'nope' }), {});
    await assert.rejects(h.call('update', 'lookup/entity', {}), BadRequestError);
    await assert.rejects(h.call('update', 'lookup/entity', { name: 'e', id: eid }), /mutually exclusive/);
    await assert.rejects(h.call('update', 'lookup/entity', { alias_name: 'al' }), /together/);
  });

  it('finds groups by name or id', async () => {
    const h = await identityHarness();
    const gid = (await h.call('update', 'group', { name: 'g' })).data!.id as string;
    assert.equal((await h.call('update', 'lookup/group', { name: 'g' })).data!.id, gid);
    assert.equal((await h.call('update', 'lookup/group', { id: gid })).data!.name, 'g');
    assert.deepEqual(await h.call('update', 'lookup/group', { id: 'nope' }), {});
  });
});

describe('backend', () => {
  it('data written through paths survives a restart', async () => {
    const h = await identityHarness();
    const eid = (await h.call('update', 'entity', { name: 'e', policies: ['p'] })).data!.id as string;
    await h.call('update', 'group', { name: 'g', member_entity_ids: [eid], policies: ['gp'] });
    const r = await h.restart();
    assert.deepEqual(
      (await r.call('read', `entity/id/${eid}`)).data,
      (await h.call('read', `entity/id/${eid}`)).data,
    );
    assert.deepEqual(await r.store.policiesFor(eid), {
      entityPolicies: ['p'],
      groupPolicies: ['gp'],
      groups: [{ id: h.store.groupByName('g')!.id, name: 'g' }],
    });
  });

  it('every path has help', async () => {
    const h = await identityHarness();
    for (const p of h.backend.definition.paths) {
      assert.ok(p.help.synopsis && p.help.description, p.pattern);
    }
  });
});

function req(path: string) {
  return {
    id: 'r',
    operation: 'update' as const,
    path: `identity/${path}`,
    data: {},
    headers: {},
    clientToken: '',
    remoteAddr: '127.0.0.1',
    mountPoint: 'identity/',
    mountPath: path,
  };
}
