import { NotFoundError } from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import type { Response } from '../../sdk/request.ts';
import type { IdentityPathDeps } from './entity-paths.ts';
import { keyValues } from './fields.ts';
import { groupInfo, groupJSON } from './shapes.ts';
import type { IdentityStore } from './store.ts';
import type { Group, GroupInput } from './types.ts';

const groupFields = {
  name: f.string({ description: 'Name of the group (unique, case-insensitive)' }),
  type: f.string({ description: 'Type of the group: only "internal" is supported' }),
  policies: f.commaList({ description: 'Policies of the group, granted to all its members' }),
  member_entity_ids: f.commaList({ description: 'Entities that are members of the group' }),
  member_group_ids: f.commaList({ description: 'Groups whose members inherit this group' }),
  metadata: keyValues('Metadata of the group: an object, or a list of "key=value"'),
};
const idField = f.string({ description: 'ID of the group; if set, updates that group' });

type GroupFieldValues = { [K in keyof GroupInput]?: GroupInput[K] | undefined };

/** Create answers `{ id, name }`; an update answers 204, as Vault does. */
async function write(store: IdentityStore, v: GroupFieldValues): Promise<Response> {
  const input: GroupInput = {};
  for (const [k, x] of Object.entries(v)) {
    if (x !== undefined && !((k === 'id' || k === 'name' || k === 'type') && x === '')) {
      (input as Record<string, unknown>)[k] = x;
    }
  }
  const { group, created } = await store.writeGroup(input);
  return created ? { data: { id: group.id, name: group.name } } : {};
}

function list(groups: Group[], keyOf: (g: Group) => string): Response {
  if (groups.length === 0) throw new NotFoundError();
  return {
    data: {
      keys: groups.map(keyOf).sort(),
      key_info: Object.fromEntries(groups.map((g) => [keyOf(g), groupInfo(g)])),
    },
  };
}

export function groupPaths({ store }: IdentityPathDeps) {
  const read = (g: Group | undefined): Response => {
    if (!g) throw new NotFoundError();
    return { data: groupJSON(g) };
  };
  return [
    definePath({
      pattern: 'group',
      fields: { ...groupFields, id: idField },
      operations: { update: (_ctx, v) => write(store, v) },
      help: {
        synopsis: 'Create or update a group',
        description:
          'Creates an internal group, or updates the one named by "id" or "name". Given member lists ' +
          'replace the stored ones; members must exist and groups may not form a cycle.',
      },
    }),
    definePath({
      pattern: 'group/id',
      fields: {},
      operations: { list: () => list(store.groups(), (g) => g.id) },
      help: { synopsis: 'List groups by id', description: 'Ids of all groups, with key_info.' },
    }),
    definePath({
      pattern: 'group/id/:id',
      fields: { id: f.string({ description: 'ID of the group', in: 'path' }), ...groupFields },
      operations: {
        read: (_ctx, v) => read(store.group(v.id!)),
        update: (_ctx, v) => write(store, v),
        delete: async (_ctx, v) => {
          await store.deleteGroup(v.id!);
        },
      },
      help: {
        synopsis: 'Read, update or delete a group by id',
        description: 'Deleting a group removes it from the groups that list it as a member.',
      },
    }),
    definePath({
      pattern: 'group/name',
      fields: {},
      operations: { list: () => list(store.groups(), (g) => g.name) },
      help: { synopsis: 'List groups by name', description: 'Names of all groups, with key_info.' },
    }),
    definePath({
      pattern: 'group/name/:name',
      fields: {
        name: f.string({ description: 'Name of the group', in: 'path' }),
        id: idField,
        type: groupFields.type,
        policies: groupFields.policies,
        member_entity_ids: groupFields.member_entity_ids,
        member_group_ids: groupFields.member_group_ids,
        metadata: groupFields.metadata,
      },
      exists: async (_ctx, v) => store.groupByName(v.name!) !== undefined,
      operations: {
        read: (_ctx, v) => read(store.groupByName(v.name!)),
        update: (_ctx, v) => write(store, v),
        delete: async (_ctx, v) => {
          const g = store.groupByName(v.name!);
          if (g) await store.deleteGroup(g.id);
        },
      },
      help: {
        synopsis: 'Create, read, update or delete a group by name',
        description: 'A write creates the group when no group has the name, else updates it.',
      },
    }),
  ];
}
