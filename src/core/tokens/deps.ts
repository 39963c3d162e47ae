import { PermissionDeniedError } from '../../sdk/errors.ts';
import type { HandlerContext } from '../../sdk/framework/path.ts';
import type { Request } from '../../sdk/request.ts';
import type { TokenRole } from './roles.ts';
import type { TokenEntry } from './token-entry.ts';
import type { TokenStore } from './token-store.ts';
import type { TTLLimits } from './ttl.ts';

/** What the `auth/token/` path table needs from core. */
export interface TokenPathDeps {
  store: TokenStore;
  /** Whether the request's token has `sudo` on the request path (root tokens: true). */
  canSudo(req: Request): Promise<boolean>;
  /** Accepted for symmetry; TTLs are computed with the store's limits (one source of truth). */
  limits?: TTLLimits;
  /**
   * `entity_alias` on `create/:role_name`: finds or creates the entity of that alias on the token
   * mount and returns its id. Without it, entity_alias is refused.
   */
  resolveEntityAlias?(alias: string, role: TokenRole, req: Request): Promise<string>;
  /** The policies a token gets from its entity and groups (shown by lookups as `identity_policies`). */
  identityPolicies?(entityId: string): Promise<string[]>;
}

/** The calling token's live entry (from `req.auth.tokenHash`), or 403. */
export async function callerEntry(ctx: HandlerContext, deps: TokenPathDeps): Promise<TokenEntry> {
  const hash = ctx.req.auth?.tokenHash;
  const entry = hash ? await deps.store.getByHash(hash) : undefined;
  if (!entry) throw new PermissionDeniedError();
  return entry;
}

/** Whether the caller may do root/sudo things (`id`, `no_parent`, `period`): root, or sudo on the path. */
export function sudoCheck(
  ctx: HandlerContext,
  deps: TokenPathDeps,
  caller: TokenEntry,
): () => Promise<boolean> {
  let memo: Promise<boolean> | undefined;
  return () => {
    memo ??= caller.policies.includes('root') ? Promise.resolve(true) : deps.canSudo(ctx.req);
    return memo;
  };
}
