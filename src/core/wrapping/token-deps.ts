import { InternalError } from '../../sdk/errors.ts';
import type { Request } from '../../sdk/request.ts';
import type { SystemView } from '../../sdk/system.ts';
import type { MountTable } from '../router/mount-table.ts';
import type { Router } from '../router/router.ts';
import type { TokenStore } from '../tokens/token-store.ts';
import type { WrappingDeps } from './wrap.ts';

/**
 * Wrapping tokens are service tokens with the `response-wrapping` policy, one use, no renewal and
 * no parent; the wrapped response lives in the token's cubbyhole (resolved at call time, since the
 * cubbyhole is mounted at unseal).
 */
export function wrappingTokenDeps(core: {
  tokens: TokenStore;
  mounts: MountTable;
  router: Router;
  system: SystemView;
}): WrappingDeps & { tokenFromRequest(req: Request): string } {
  const { tokens } = core;
  return {
    tokenFromRequest: (req) => req.clientToken,
    createWrappingToken: async (ttl, creationPath) => {
      const { id, entry } = await tokens.create({
        policies: ['response-wrapping'],
        noDefaultPolicy: true,
        numUses: 1,
        ttl,
        explicitMaxTTL: ttl,
        renewable: false,
        path: creationPath,
        displayName: 'response-wrapping',
      });
      return {
        id,
        accessor: entry.accessor,
        hash: entry.hash,
        creationTime: new Date(entry.creationTime * 1000),
      };
    },
    lookupWrappingToken: async (id) => {
      const e = await tokens.lookup(id);
      if (!e || !e.policies.includes('response-wrapping')) return undefined;
      return {
        hash: e.hash,
        accessor: e.accessor,
        policies: e.policies,
        creationTime: new Date(e.creationTime * 1000),
        ttl: e.creationTTL,
        creationPath: e.path,
      };
    },
    useAndRevoke: async (id) => {
      const e = await tokens.lookup(id);
      if (!e) return false;
      if (!(await tokens.use(e))) return false;
      await tokens.revoke(id);
      return true;
    },
    get cubbyhole() {
      const cubby = core.mounts.get('cubbyhole/');
      if (!cubby) throw new InternalError('cubbyhole is not mounted');
      return core.router.view(cubby);
    },
    now: () => core.system.now(),
  };
}
