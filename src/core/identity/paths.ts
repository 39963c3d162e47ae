import { BadRequestError } from '../../sdk/errors.ts';
import { type BackendDefinition, defineBackend, definePath, f } from '../../sdk/framework/index.ts';
import { aliasPaths } from './alias-paths.ts';
import { entityPaths, type IdentityPathDeps } from './entity-paths.ts';
import { groupPaths } from './group-paths.ts';
import { entityJSON, groupJSON } from './shapes.ts';

export type { IdentityPathDeps } from './entity-paths.ts';

const lookupFields = {
  name: f.string({ description: 'Name of the entity or group' }),
  id: f.string({ description: 'ID of the entity or group' }),
  alias_id: f.string({ description: 'ID of an alias' }),
  alias_name: f.string({ description: 'Name of an alias; with alias_mount_accessor' }),
  alias_mount_accessor: f.string({ description: 'Mount accessor of the alias; with alias_name' }),
};

type LookupValues = { [K in keyof typeof lookupFields]?: string | undefined };

/** Which one criterion a lookup uses; Vault refuses none or several. */
function criterion(v: LookupValues): 'name' | 'id' | 'alias_id' | 'alias' {
  const given: Array<'name' | 'id' | 'alias_id' | 'alias'> = [];
  if (v.name) given.push('name');
  if (v.id) given.push('id');
  if (v.alias_id) given.push('alias_id');
  if (v.alias_name || v.alias_mount_accessor) {
    if (!v.alias_name || !v.alias_mount_accessor) {
      throw new BadRequestError('alias_name and alias_mount_accessor must be given together');
    }
    given.push('alias');
  }
  if (given.length === 0) throw new BadRequestError('one of name, id, alias_id or alias_name must be given');
  if (given.length > 1) throw new BadRequestError('name, id, alias_id and alias_name are mutually exclusive');
  return given[0]!;
}

/** The `identity/` backend: entities, aliases, internal groups and lookups, over one store. */
export function identityBackendDefinition(deps: IdentityPathDeps): BackendDefinition {
  const { store, lookupMount } = deps;
  const lookupPaths = [
    definePath({
      pattern: 'lookup/entity',
      fields: lookupFields,
      operations: {
        update: (_ctx, v) => {
          const e = (() => {
            switch (criterion(v)) {
              case 'name':
                return store.entityByName(v.name!);
              case 'id':
                return store.entity(v.id!);
              case 'alias_id': {
                const a = store.alias(v.alias_id!);
                return a && store.entity(a.canonical_id);
              }
              case 'alias': {
                const a = store.aliasByFactors(v.alias_mount_accessor!, v.alias_name!);
                return a && store.entity(a.canonical_id);
              }
            }
          })();
          return e ? { data: entityJSON(e, store, lookupMount) } : {};
        },
      },
      help: {
        synopsis: 'Find an entity',
        description:
          'By name, id, alias id, or alias name with its mount accessor; answers 204 when none matches.',
      },
    }),
    definePath({
      pattern: 'lookup/group',
      fields: lookupFields,
      operations: {
        update: (_ctx, v) => {
          const how = criterion(v);
          // Only external groups have aliases, and Coffer has none: alias lookups find nothing.
          const g =
            how === 'name' ? store.groupByName(v.name!) : how === 'id' ? store.group(v.id!) : undefined;
          return g ? { data: groupJSON(g) } : {};
        },
      },
      help: {
        synopsis: 'Find a group',
        description: 'By name or id; answers 204 when none matches.',
      },
    }),
  ];
  return defineBackend({
    type: 'identity',
    description: 'Identity store: entities, aliases and groups',
    paths: [...entityPaths(deps), ...aliasPaths(deps), ...groupPaths(deps), ...lookupPaths],
    help:
      'Entities are the people and services behind tokens; aliases tie an entity to its login on an ' +
      'auth mount; internal groups grant policies to member entities and, transitively, to the ' +
      'members of their member groups.',
  });
}
