import {
  BadRequestError,
  defineBackend,
  definePath,
  f,
  type HandlerContext,
  NotFoundError,
} from '../../sdk/index.ts';

/**
 * KV version 1: each path holds one JSON object, stored as sent (no versions). The storage key is
 * the secret's path; the value is the object.
 */
async function list(ctx: HandlerContext, folder: string | undefined) {
  const keys = await ctx.storage.list(folder ? `${folder}/` : '');
  if (keys.length === 0) throw new NotFoundError();
  return { data: { keys } };
}

const path = f.string({ description: 'Location of the secret.', in: 'path' });

const rootPath = definePath({
  pattern: '',
  fields: {},
  operations: { list: (ctx) => list(ctx, '') },
  help: {
    synopsis: 'List the secrets at the top of the engine.',
    description: 'LIST answers the secrets and folders (ending in "/") at the mount root.',
  },
});

const secretPath = definePath({
  pattern: ':path+',
  fields: { path },
  freeform: true,
  exists: (ctx, { path }) => ctx.storage.has(path!),
  operations: {
    read: async (ctx, { path }) => {
      const data = await ctx.storage.getJSON<Record<string, unknown>>(path!);
      if (!data) throw new NotFoundError();
      return { data };
    },
    update: async (ctx, { path }) => {
      if (Object.keys(ctx.raw).length === 0) throw new BadRequestError('missing data fields');
      await ctx.storage.putJSON(path!, ctx.raw);
    },
    delete: async (ctx, { path }) => {
      await ctx.storage.delete(path!);
    },
    list: (ctx, { path }) => list(ctx, path),
  },
  help: {
    synopsis: 'Pass-through secret storage: read and write arbitrary JSON objects.',
    description:
      'POST/PUT stores the request body as the secret (replacing what was there); GET returns it; ' +
      'DELETE removes it; LIST shows the secrets and folders (ending in "/") below the path.',
  },
});

export const kvV1Backend = defineBackend({
  type: 'kv',
  description: 'Key/value secret storage (KV version 1, unversioned).',
  paths: [rootPath, secretPath],
  help:
    'The KV secrets engine, version 1, stores one JSON object per path, with no versions. Any path ' +
    'below the mount is a secret.',
});
