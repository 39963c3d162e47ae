import { BadRequestError, PermissionDeniedError } from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import type { HandlerContext } from '../../sdk/framework/path.ts';
import type { Response } from '../../sdk/request.ts';
import { callerEntry, sudoCheck, type TokenPathDeps } from './deps.ts';
import { authBlock, lookupData, type TokenEntry } from './token-entry.ts';

const token = (description: string) => f.string({ description, sensitive: true });
const accessor = (description: string) => f.string({ description, sensitive: true });
const increment = f.duration({
  description: 'Requested TTL extension; default: the TTL the token was created with',
});

async function requireSudo(ctx: HandlerContext, deps: TokenPathDeps): Promise<void> {
  const caller = await callerEntry(ctx, deps);
  if (!(await sudoCheck(ctx, deps, caller)())) throw new PermissionDeniedError();
}

async function lookupResponse(deps: TokenPathDeps, entry: TokenEntry, id: string): Promise<Response> {
  const data = lookupData(entry, id, deps.store.now());
  const identityPolicies =
    entry.entityId && deps.identityPolicies ? await deps.identityPolicies(entry.entityId) : [];
  if (identityPolicies.length > 0) data.identity_policies = identityPolicies;
  return { data };
}

async function byAccessor(deps: TokenPathDeps, value: string | undefined): Promise<TokenEntry> {
  if (!value) throw new BadRequestError('missing accessor');
  const entry = await deps.store.lookupAccessor(value);
  if (!entry) throw new BadRequestError('invalid accessor');
  return entry;
}

async function renewResponse(
  deps: TokenPathDeps,
  entry: TokenEntry,
  clientToken: string,
  inc: number | undefined,
): Promise<Response> {
  const { entry: renewed, warnings } = await deps.store.renewWithWarnings(entry, inc ?? 0);
  return {
    status: 200,
    envelope: { auth: authBlock(renewed, clientToken) },
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

async function revoke(deps: TokenPathDeps, entry: TokenEntry | undefined): Promise<Response> {
  if (!entry) return {};
  if (entry.type === 'batch') throw new BadRequestError('batch tokens cannot be revoked');
  await deps.store.revokeTree(entry);
  return {};
}

export function tokenPaths(deps: TokenPathDeps) {
  const lookupToken = async (ctx: HandlerContext, v: { token?: string | undefined }) => {
    const id = v.token || ctx.req.clientToken;
    const entry = await deps.store.lookup(id);
    if (!entry) throw new PermissionDeniedError('bad token');
    return lookupResponse(deps, entry, id);
  };
  const lookupSelf = async (ctx: HandlerContext) =>
    lookupResponse(deps, await callerEntry(ctx, deps), ctx.req.clientToken);

  return [
    definePath({
      pattern: 'lookup',
      fields: { token: token('Token to look up; default: the calling token') },
      operations: { read: lookupToken, update: lookupToken },
      help: { synopsis: 'Look up a token', description: 'Returns the properties of the given token.' },
    }),
    definePath({
      pattern: 'lookup-self',
      fields: { token: token('Ignored: the calling token is looked up') },
      operations: { read: lookupSelf, update: lookupSelf },
      help: {
        synopsis: 'Look up the calling token',
        description: 'Returns the properties of the calling token.',
      },
    }),
    definePath({
      pattern: 'lookup-accessor',
      fields: { accessor: accessor('Accessor of the token') },
      operations: {
        update: async (_ctx, v) => lookupResponse(deps, await byAccessor(deps, v.accessor), ''),
      },
      help: {
        synopsis: 'Look up a token by its accessor',
        description: 'Returns the properties of the token, without its id.',
      },
    }),
    definePath({
      pattern: 'renew',
      fields: { token: token('Token to renew'), increment },
      operations: {
        update: async (_ctx, v) => {
          if (!v.token) throw new BadRequestError('token must be specified');
          const entry = await deps.store.lookup(v.token);
          if (!entry) throw new BadRequestError('token not found');
          return renewResponse(deps, entry, v.token, v.increment);
        },
      },
      help: {
        synopsis: 'Renew a token',
        description: 'Extends the TTL of the given token (see renew-self).',
      },
    }),
    definePath({
      pattern: 'renew-self',
      fields: { token: token('Ignored: the calling token is renewed'), increment },
      operations: {
        update: async (ctx, v) =>
          renewResponse(deps, await callerEntry(ctx, deps), ctx.req.clientToken, v.increment),
      },
      help: {
        synopsis: 'Renew the calling token',
        description:
          'Periodic tokens renew to their period; others to the increment or their original TTL, ' +
          'never past their explicit max TTL or the mount max TTL counted from creation.',
      },
    }),
    definePath({
      pattern: 'renew-accessor',
      fields: { accessor: accessor('Accessor of the token'), increment },
      operations: {
        update: async (_ctx, v) => renewResponse(deps, await byAccessor(deps, v.accessor), '', v.increment),
      },
      help: {
        synopsis: 'Renew a token by its accessor',
        description: 'Like renew; the response has no token id.',
      },
    }),
    definePath({
      pattern: 'revoke',
      fields: { token: token('Token to revoke') },
      operations: {
        update: async (_ctx, v) => {
          if (!v.token) throw new BadRequestError('token must be specified');
          return revoke(deps, await deps.store.lookup(v.token));
        },
      },
      help: {
        synopsis: 'Revoke a token and all its children',
        description: 'Revokes the token, every token created from it, and their leases.',
      },
    }),
    definePath({
      pattern: 'revoke-self',
      fields: {},
      operations: { update: async (ctx) => revoke(deps, await callerEntry(ctx, deps)) },
      help: { synopsis: 'Revoke the calling token and all its children', description: 'Like revoke.' },
    }),
    definePath({
      pattern: 'revoke-accessor',
      fields: { accessor: accessor('Accessor of the token') },
      operations: { update: async (_ctx, v) => revoke(deps, await byAccessor(deps, v.accessor)) },
      help: {
        synopsis: 'Revoke a token by its accessor',
        description: 'Revokes the token and all its children.',
      },
    }),
    definePath({
      pattern: 'revoke-orphan',
      fields: { token: token('Token to revoke') },
      operations: {
        update: async (ctx, v) => {
          await requireSudo(ctx, deps);
          if (!v.token) throw new BadRequestError('token must be specified');
          const entry = await deps.store.lookup(v.token);
          if (!entry) return {};
          if (entry.type === 'batch') throw new BadRequestError('batch tokens cannot be revoked');
          await deps.store.revokeOrphan(entry);
          return {};
        },
      },
      help: {
        synopsis: 'Revoke a token but not its children (sudo)',
        description: 'The children of the token become orphans and keep working.',
      },
    }),
    definePath({
      pattern: 'accessors',
      fields: {},
      operations: {
        list: async (ctx) => {
          await requireSudo(ctx, deps);
          return { data: { keys: await deps.store.listAccessors() } };
        },
      },
      help: {
        synopsis: 'List token accessors (sudo)',
        description: 'Lists the accessors of every service token.',
      },
    }),
    definePath({
      pattern: 'tidy',
      fields: {},
      operations: {
        update: async () => {
          const r = await deps.store.tidy();
          return {
            data: {
              removed: r.revoked + r.danglingIndexEntries,
              revoked_tokens: r.revoked,
              dangling_index_entries: r.danglingIndexEntries,
            },
          };
        },
      },
      help: {
        synopsis: 'Clean up the token store',
        description:
          'Revokes expired tokens and tokens whose parent is gone, and removes index entries that ' +
          'point at nothing. Unlike Vault (202, runs in the background) it runs to completion and ' +
          'answers 200 with counts.',
      },
    }),
  ];
}
