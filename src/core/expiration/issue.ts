import { InternalError } from '../../sdk/errors.ts';
import type { Logger } from '../../sdk/logger.ts';
import type { LeaseInfo, Request, Response } from '../../sdk/request.ts';
import type { SystemView } from '../../sdk/system.ts';
import { type RouteMatch, Router } from '../router/router.ts';
import type { TokenStore } from '../tokens/token-store.ts';
import type { LeaseEntry } from './lease.ts';
import type { ExpirationManager } from './manager.ts';

/**
 * Persists the lease of a secret a backend issued, in one batch with the deletion of the
 * backend's write-ahead record for it (`internal.walKey`). If the lease cannot be stored, the
 * secret is revoked before the error reaches the client: nobody holds an untracked credential.
 * Returns the response with `lease_id`, `lease_duration` and `renewable` in its envelope.
 */
export async function registerIssuedSecret(
  core: { expiration: ExpirationManager; tokens: TokenStore; system: SystemView; logger: Logger },
  route: RouteMatch,
  req: Request,
  res: Response,
): Promise<Response> {
  const secret = res.secret!;
  const now = core.system.now().getTime();
  let maxTTL = secret.maxTTL ?? 0;
  // A lease never outlives the token that created it (its revocation would orphan it).
  const token = req.auth ? await core.tokens.getByHash(req.auth.tokenHash) : undefined;
  if (token && token.expireTime > 0) {
    const left = Math.max(1, Math.floor((token.expireTime - now) / 1000));
    maxTTL = maxTTL > 0 ? Math.min(maxTTL, left) : left;
  }
  const walKey = typeof secret.internal.walKey === 'string' ? secret.internal.walKey : undefined;
  let lease: LeaseEntry;
  try {
    lease = await core.expiration.register(
      {
        path: req.path,
        mountUuid: route.entry.uuid,
        type: secret.type,
        internal: secret.internal,
        ttl: secret.ttl,
        maxTTL,
        renewable: secret.renewable,
        tokenHash: req.auth?.tokenHash ?? '',
      },
      walKey ? { alsoDelete: [Router.viewPrefix(route.entry) + walKey] } : {},
    );
  } catch (err) {
    core.logger.error('core: could not store a lease; revoking the secret', { path: req.path, err });
    const untracked: LeaseInfo = {
      leaseId: '',
      type: secret.type,
      internal: secret.internal,
      issueTime: now,
      expireTime: now,
      ttl: 0,
    };
    await route.backend
      .revokeSecret(untracked)
      .catch((e: unknown) =>
        core.logger.error('core: revoking the untracked secret failed', { path: req.path, err: e }),
      );
    throw new InternalError('could not store the lease of the secret', { cause: err });
  }
  const { secret: _drop, ...rest } = res;
  return {
    ...rest,
    envelope: {
      ...res.envelope,
      lease_id: lease.leaseId,
      lease_duration: lease.ttl,
      renewable: lease.renewable,
    },
  };
}

/** What a backend's renew / revoke handlers get of a lease. */
export function leaseInfo(l: LeaseEntry): LeaseInfo {
  return {
    leaseId: l.leaseId,
    type: l.type,
    internal: l.internal,
    issueTime: l.issueTime,
    expireTime: l.expireTime,
    ttl: l.ttl,
  };
}
