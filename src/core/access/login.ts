import { PermissionDeniedError } from '../../sdk/errors.ts';
import type { Backend } from '../../sdk/framework/backend.ts';
import type { AuthResult, Request, Response } from '../../sdk/request.ts';
import type { IdentityStore } from '../identity/index.ts';
import { LOCKOUT_MOUNT_TYPES, type LockoutManager, resolveLockoutConfig } from '../lockout/index.ts';
import type { MountEntry } from '../router/mount-table.ts';
import type { Router } from '../router/router.ts';
import { authBlock } from '../tokens/index.ts';
import type { TokenStore } from '../tokens/token-store.ts';

export interface LoginDeps {
  tokens: TokenStore;
  identity: IdentityStore;
  lockout: LockoutManager;
  router: Pick<Router, 'backendFor'>;
}

/**
 * Runs a login path: lockout guard around the method's check, then the identity alias and the
 * token. The method's `auth` result becomes Vault's `auth` block in the envelope.
 */
export async function runLogin(
  deps: LoginDeps,
  entry: MountEntry,
  backend: Backend,
  req: Request,
): Promise<Response> {
  const run = () => backend.handle(req);
  let res: Response;
  if (LOCKOUT_MOUNT_TYPES.includes(entry.type)) {
    const alias = await backend.aliasLookahead(req).catch(() => undefined);
    res = await deps.lockout.guardLogin(
      entry.accessor,
      alias,
      resolveLockoutConfig(entry.config.user_lockout_config),
      run,
    );
  } else {
    res = await run();
  }
  if (!res.auth) return res;
  const auth = res.auth;
  const { auth: _drop, ...rest } = res;
  return { ...rest, envelope: { ...res.envelope, auth: await issueToken(deps, entry, req, auth) } };
}

function tokenTypeFor(auth: AuthResult, entry: MountEntry): 'service' | 'batch' {
  const wanted = auth.tokenType ?? 'default';
  const mountType = entry.config.token_type ?? 'default-service';
  if (wanted === 'service' || wanted === 'batch') return wanted;
  if (wanted === 'default-batch') return mountType === 'service' ? 'service' : 'batch';
  if (wanted === 'default-service') return mountType === 'batch' ? 'batch' : 'service';
  return mountType === 'batch' || mountType === 'default-batch' ? 'batch' : 'service';
}

async function issueToken(
  deps: LoginDeps,
  entry: MountEntry,
  req: Request,
  auth: AuthResult,
): Promise<Record<string, unknown>> {
  const entity = await deps.identity.resolveAlias({
    mountAccessor: entry.accessor,
    mountType: entry.type,
    mountPath: entry.path,
    name: auth.alias.name,
    ...(auth.alias.metadata ? { metadata: auth.alias.metadata } : {}),
  });
  if (entity.disabled) throw new PermissionDeniedError();
  const idp = await deps.identity.policiesFor(entity.id);
  const identityPolicies = [...new Set([...idp.entityPolicies, ...idp.groupPolicies])].sort();
  const { id, entry: token } = await deps.tokens.create({
    policies: auth.policies,
    ...(auth.metadata ? { meta: auth.metadata } : {}),
    ...(auth.noDefaultPolicy ? { noDefaultPolicy: true } : {}),
    renewable: auth.renewable ?? true,
    ttl: auth.ttl || entry.config.default_lease_ttl || 0,
    maxTTL: auth.maxTTL || entry.config.max_lease_ttl || 0,
    ...(auth.explicitMaxTTL ? { explicitMaxTTL: auth.explicitMaxTTL } : {}),
    ...(auth.period ? { period: auth.period } : {}),
    ...(auth.numUses ? { numUses: auth.numUses } : {}),
    displayName: auth.displayName,
    type: tokenTypeFor(auth, entry),
    path: req.path,
    ...(auth.boundCIDRs?.length ? { boundCIDRs: auth.boundCIDRs } : {}),
    entityId: entity.id,
    ...(auth.internalData ? { internalData: auth.internalData } : {}),
  });
  // Disabling the method unmounts it first, then revokes every token it issued: a token created
  // by a login that was already running when the unmount came is revoked here instead.
  if (deps.router.backendFor(entry.uuid) === undefined) {
    await deps.tokens.revokeTree(token);
    throw new PermissionDeniedError();
  }
  return authBlock(token, id, identityPolicies);
}
