import { defineBackend } from '../../sdk/framework/index.ts';
import type { BackendDefinition } from '../../sdk/framework/path.ts';
import { createPaths } from './create-paths.ts';
import type { TokenPathDeps } from './deps.ts';
import { rolePaths } from './role-paths.ts';
import { tokenPaths } from './token-paths.ts';

export type { TokenPathDeps } from './deps.ts';

/** The token auth method, mounted by core at `auth/token/` (type `token`). */
export function tokenBackendDefinition(deps: TokenPathDeps): BackendDefinition {
  return defineBackend({
    type: 'token',
    description: 'token based credentials',
    paths: [...createPaths(deps), ...tokenPaths(deps), ...rolePaths(deps)],
    help:
      'The token credential backend is always enabled and builtin to Coffer. Client tokens are ' +
      'used to identify a client and to allow Coffer to associate policies and ACLs which are ' +
      'enforced on every request. This backend also allows for generating sub-tokens as well as ' +
      'revocation of tokens. The tokens are renewable if associated with a lease.',
  });
}
