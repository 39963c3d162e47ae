import { BadRequestError, NotFoundError } from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import type { Response } from '../../sdk/request.ts';
import { keyValues } from './fields.ts';
import { entityInfo, entityJSON, type MountLookup } from './shapes.ts';
import type { IdentityStore } from './store.ts';
import type { Entity, EntityInput } from './types.ts';

export interface IdentityPathDeps {
  store: IdentityStore;
  /** Auth mounts by accessor: alias writes refuse unknown accessors; reads show live mount paths. */
  lookupMount: MountLookup;
}

const entityFields = {
  name: f.string({ description: 'Name of the entity (unique, case-insensitive)' }),
  metadata: keyValues('Metadata of the entity: an object, or a list of "key=value"'),
  policies: f.commaList({ description: 'Policies tied to the entity' }),
  disabled: f.bool({ description: 'Tokens of a disabled entity cannot be used' }),
};
const idField = f.string({ description: 'ID of the entity; if set, updates that entity' });

type EntityFieldValues = {
  name?: string | undefined;
  id?: string | undefined;
  metadata?: Record<string, string> | undefined;
  policies?: string[] | undefined;
  disabled?: boolean | undefined;
};

function input(v: EntityFieldValues): EntityInput {
  const out: EntityInput = {};
  if (v.id !== undefined && v.id !== '') out.id = v.id;
  if (v.name !== undefined && v.name !== '') out.name = v.name;
  if (v.metadata !== undefined) out.metadata = v.metadata;
  if (v.policies !== undefined) out.policies = v.policies;
  if (v.disabled !== undefined) out.disabled = v.disabled;
  return out;
}

/** Create answers `{ id, name, aliases }`; an update answers 204, as Vault does. */
async function write(store: IdentityStore, v: EntityFieldValues): Promise<Response> {
  const { entity, created } = await store.writeEntity(input(v));
  if (!created) return {};
  return {
    data: {
      id: entity.id,
      name: entity.name,
      aliases: entity.aliases.length ? entity.aliases.map((a) => a.id) : null,
    },
  };
}

function list(entities: Entity[], keyOf: (e: Entity) => string, mounts: MountLookup): Response {
  if (entities.length === 0) throw new NotFoundError();
  // Vault keys `key_info` by entity id for both lists.
  return {
    data: {
      keys: entities.map(keyOf).sort(),
      key_info: Object.fromEntries(entities.map((e) => [e.id, entityInfo(e, mounts)])),
    },
  };
}

export function entityPaths({ store, lookupMount }: IdentityPathDeps) {
  const read = (e: Entity | undefined): Response => {
    if (!e) throw new NotFoundError();
    return { data: entityJSON(e, store, lookupMount) };
  };
  return [
    definePath({
      pattern: 'entity',
      fields: { ...entityFields, id: idField },
      operations: { update: (_ctx, v) => write(store, v) },
      help: {
        synopsis: 'Create or update an entity',
        description:
          'Creates an entity, or updates the one named by "id" or "name". Fields left out keep their ' +
          'value. A create answers the new id and name; an update answers 204.',
      },
    }),
    definePath({
      pattern: 'entity/id',
      fields: {},
      operations: { list: () => list(store.entities(), (e) => e.id, lookupMount) },
      help: { synopsis: 'List entities by id', description: 'Ids of all entities, with key_info.' },
    }),
    definePath({
      pattern: 'entity/id/:id',
      fields: { id: f.string({ description: 'ID of the entity', in: 'path' }), ...entityFields },
      operations: {
        read: (_ctx, v) => read(store.entity(v.id!)),
        update: (_ctx, v) => write(store, v),
        delete: async (_ctx, v) => {
          await store.deleteEntity(v.id!);
        },
      },
      help: {
        synopsis: 'Read, update or delete an entity by id',
        description: 'Deleting an entity deletes its aliases and removes it from every group.',
      },
    }),
    definePath({
      pattern: 'entity/name',
      fields: {},
      operations: { list: () => list(store.entities(), (e) => e.name, lookupMount) },
      help: { synopsis: 'List entities by name', description: 'Names of all entities.' },
    }),
    definePath({
      pattern: 'entity/name/:name',
      fields: {
        name: f.string({ description: 'Name of the entity', in: 'path' }),
        id: idField,
        metadata: entityFields.metadata,
        policies: entityFields.policies,
        disabled: entityFields.disabled,
      },
      exists: async (_ctx, v) => store.entityByName(v.name!) !== undefined,
      operations: {
        read: (_ctx, v) => read(store.entityByName(v.name!)),
        update: (_ctx, v) => write(store, v),
        delete: async (_ctx, v) => {
          const e = store.entityByName(v.name!);
          if (e) await store.deleteEntity(e.id);
        },
      },
      help: {
        synopsis: 'Create, read, update or delete an entity by name',
        description: 'A write creates the entity when no entity has the name, else updates it.',
      },
    }),
    definePath({
      pattern: 'entity/batch-delete',
      fields: { entity_ids: f.commaList({ description: 'Ids of the entities to delete', required: true }) },
      operations: {
        update: async (_ctx, v) => {
          await store.deleteEntities(v.entity_ids!);
        },
      },
      help: { synopsis: 'Delete many entities', description: 'Unknown ids are skipped.' },
    }),
    definePath({
      pattern: 'entity/merge',
      fields: {
        from_entity_ids: f.commaList({ description: 'Entities to merge (then deleted)', required: true }),
        to_entity_id: f.string({
          description: 'Entity that receives their aliases and groups',
          required: true,
        }),
        force: f.bool({ description: 'Accepted for compatibility (no MFA secrets to merge)' }),
        conflicting_alias_ids_to_keep: f.commaList({
          description: 'When two aliases are on one mount, the ids of the ones to keep',
        }),
      },
      operations: {
        update: async (_ctx, v) => {
          if (v.to_entity_id === '') throw new BadRequestError('missing to_entity_id');
          await store.mergeEntities({
            fromIds: v.from_entity_ids!,
            toId: v.to_entity_id!,
            keepAliasIds: v.conflicting_alias_ids_to_keep ?? [],
          });
        },
      },
      help: {
        synopsis: 'Merge entities into one',
        description:
          'Moves the aliases and group memberships of the "from" entities to the "to" entity and ' +
          'deletes them; their ids keep resolving to the merged entity.',
      },
    }),
  ];
}
