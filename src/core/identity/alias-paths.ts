import { BadRequestError, NotFoundError } from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import type { Response } from '../../sdk/request.ts';
import type { IdentityPathDeps } from './entity-paths.ts';
import { keyValues } from './fields.ts';
import { aliasJSON } from './shapes.ts';
import type { AliasWriteInput } from './types.ts';

const aliasFields = {
  name: f.string({ description: 'Name of the alias (a username, a role id): unique per mount' }),
  mount_accessor: f.string({ description: 'Accessor of the auth mount the alias belongs to' }),
  canonical_id: f.string({ description: 'Entity the alias belongs to' }),
  entity_id: f.string({ description: 'Deprecated name of canonical_id' }),
  custom_metadata: keyValues('Operator-set metadata of the alias'),
};

type AliasFieldValues = {
  id?: string | undefined;
  name?: string | undefined;
  mount_accessor?: string | undefined;
  canonical_id?: string | undefined;
  entity_id?: string | undefined;
  custom_metadata?: Record<string, string> | undefined;
};

export function aliasPaths({ store, lookupMount }: IdentityPathDeps) {
  const write = async (v: AliasFieldValues): Promise<Response> => {
    const input: AliasWriteInput = {};
    if (v.id) input.id = v.id;
    if (v.name) input.name = v.name;
    if (v.mount_accessor) {
      const mount = lookupMount(v.mount_accessor);
      if (!mount) throw new BadRequestError('invalid mount accessor');
      input.mount = { accessor: v.mount_accessor, ...mount };
    }
    const canonical = v.canonical_id || v.entity_id;
    if (canonical) input.canonicalId = canonical;
    if (v.custom_metadata !== undefined) input.customMetadata = v.custom_metadata;
    const { alias } = await store.writeAlias(input);
    return { data: { id: alias.id, canonical_id: alias.canonical_id } };
  };
  return [
    definePath({
      pattern: 'entity-alias',
      fields: { ...aliasFields, id: f.string({ description: 'ID of the alias; if set, updates it' }) },
      operations: { update: (_ctx, v) => write(v) },
      help: {
        synopsis: 'Create or update an entity alias',
        description:
          'Ties a mount-unique name to an entity. Without canonical_id a new entity is made. An ' +
          'entity has at most one alias per mount.',
      },
    }),
    definePath({
      pattern: 'entity-alias/id',
      fields: {},
      operations: {
        list: () => {
          const aliases = store.aliases();
          if (aliases.length === 0) throw new NotFoundError();
          return {
            data: {
              keys: aliases.map((a) => a.id),
              key_info: Object.fromEntries(
                aliases.map((a) => {
                  const j = aliasJSON(a, lookupMount);
                  return [
                    a.id,
                    {
                      canonical_id: j.canonical_id,
                      custom_metadata: j.custom_metadata,
                      local: false,
                      mount_accessor: j.mount_accessor,
                      mount_path: j.mount_path,
                      mount_type: j.mount_type,
                      name: j.name,
                    },
                  ];
                }),
              ),
            },
          };
        },
      },
      help: { synopsis: 'List entity aliases by id', description: 'Ids of all aliases, with key_info.' },
    }),
    definePath({
      pattern: 'entity-alias/id/:id',
      fields: { id: f.string({ description: 'ID of the alias', in: 'path' }), ...aliasFields },
      operations: {
        read: (_ctx, v) => {
          const a = store.alias(v.id!);
          if (!a) throw new NotFoundError();
          return { data: aliasJSON(a, lookupMount) };
        },
        update: (_ctx, v) => write(v),
        delete: async (_ctx, v) => {
          await store.deleteAlias(v.id!);
        },
      },
      help: {
        synopsis: 'Read, update or delete an entity alias',
        description: 'An update may rename the alias, move it to another mount or another entity.',
      },
    }),
  ];
}
