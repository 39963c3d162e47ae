import {
  type BackendFactory,
  BadRequestError,
  createBackend,
  defineBackend,
  definePath,
  f,
  type HandlerContext,
  NotFoundError,
  PermissionDeniedError,
  type StorageView,
} from '../../sdk/index.ts';
import { tokenView } from './store.ts';

/**
 * The cubbyhole engine: a private KV (version 1 semantics) per token. Storage is keyed by the
 * calling token's hash (`req.auth.tokenHash`), so a token sees only its own entries, and they go
 * when the token is revoked (core calls `destroyCubbyhole`).
 */
function own(ctx: HandlerContext): StorageView {
  const auth = ctx.req.auth;
  if (!auth || auth.tokenHash === '') throw new PermissionDeniedError();
  if (auth.tokenType === 'batch') {
    throw new BadRequestError('cubbyhole operations are only supported by "service" type tokens');
  }
  return tokenView(ctx.storage, auth.tokenHash);
}

async function list(ctx: HandlerContext, folder: string) {
  const keys = await own(ctx).list(folder === '' ? '' : `${folder}/`);
  if (keys.length === 0) throw new NotFoundError();
  return { data: { keys } };
}

const rootPath = definePath({
  pattern: '',
  fields: {},
  operations: { list: (ctx) => list(ctx, '') },
  help: {
    synopsis: "List the top of the calling token's cubbyhole.",
    description: 'LIST answers the entries and folders (ending in "/") at the top of your cubbyhole.',
  },
});

const entryPath = definePath({
  pattern: ':path+',
  fields: { path: f.string({ description: 'Specifies the path of the secret.', in: 'path' }) },
  freeform: true,
  exists: (ctx, { path }) => own(ctx).has(path!),
  operations: {
    read: async (ctx, { path }) => {
      const data = await own(ctx).getJSON<Record<string, unknown>>(path!);
      if (!data) throw new NotFoundError();
      return { data };
    },
    update: async (ctx, { path }) => {
      const view = own(ctx);
      if (Object.keys(ctx.raw).length === 0) throw new BadRequestError('missing data fields');
      await view.putJSON(path!, ctx.raw);
    },
    delete: async (ctx, { path }) => {
      await own(ctx).delete(path!);
    },
    list: (ctx, { path }) => list(ctx, path!),
  },
  help: {
    synopsis: 'Pass-through secret storage private to the calling token.',
    description:
      'POST/PUT stores the request body (replacing what was there); GET returns it; DELETE removes it; ' +
      'LIST shows the entries and folders below the path. Only the token that wrote an entry can see ' +
      'it, and everything is destroyed when that token is revoked.',
  },
});

export const cubbyholeBackend = defineBackend({
  type: 'cubbyhole',
  description: 'Per-token private secret storage',
  paths: [rootPath, entryPath],
  help:
    'The cubbyhole engine stores one JSON object per path, visible only to the token that wrote it ' +
    'and removed when that token is revoked. Not even a root token can read another token’s cubbyhole.',
});

export const cubbyholeFactory: BackendFactory = (env) => createBackend(cubbyholeBackend, env);
