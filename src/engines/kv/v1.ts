import {
  BadRequestError,
  defineBackend,
  definePath,
  f,
  type HandlerContext,
  NotFoundError,
  parseDuration,
} from '../../sdk/index.ts';

/**
 * KV version 1: each path holds one JSON object, stored as sent (no versions). The storage key is
 * the secret's path; the value is the object.
 *
 * As in Vault, a read answers `lease_duration`: the secret's own `ttl` (or `lease`) field when it
 * has one, else the mount's default lease TTL. It is a refresh interval for clients that cache
 * (consul-template, agents), not a lease: nothing is revoked. A write whose `ttl` is not a
 * duration is refused.
 */
async function list(ctx: HandlerContext, folder: string | undefined) {
  const keys = await ctx.storage.list(folder ? `${folder}/` : '');
  if (keys.length === 0) throw new NotFoundError();
  return { data: { keys } };
}

function validTTL(v: unknown): boolean {
  const secs = parseDuration(v);
  return secs !== undefined && secs >= 0;
}

/** The secret's `ttl` (or `lease`) in seconds when it is a duration, else the mount's default. */
function refreshInterval(ctx: HandlerContext, data: Record<string, unknown>): number {
  const raw = data.ttl ?? data.lease;
  const secs = raw === undefined ? undefined : parseDuration(raw);
  return secs !== undefined && secs >= 0 ? secs : ctx.system.defaultLeaseTTL();
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
      return { data, envelope: { lease_duration: refreshInterval(ctx, data) } };
    },
    update: async (ctx, { path }) => {
      if (Object.keys(ctx.raw).length === 0) throw new BadRequestError('missing data fields');
      const ttl = ctx.raw.ttl;
      if (ttl !== undefined && !validTTL(ttl)) throw new BadRequestError('failed to parse ttl for entry');
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
