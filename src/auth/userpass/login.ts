import { definePath, f, InvalidCredentialsError, PermissionDeniedError } from '../../sdk/index.ts';
import { addressAllowed } from '../shared/cidr.ts';
import { authDisplayName } from '../shared/display-name.ts';
import { toAuthResult } from '../shared/token-fields.ts';
import type { PasswordHasher } from './password.ts';
import { loadUser, userKey } from './users.ts';

const INVALID = 'invalid username or password';

/**
 * login/:username. An unknown user costs the same Argon2id computation as a wrong password and
 * gets the same error. Token CIDRs are checked only after the password, so they reveal nothing.
 */
export function loginPath(hasher: PasswordHasher) {
  return definePath({
    pattern: 'login/:username',
    fields: {
      username: f.name({ description: 'Username (case-insensitive)', in: 'path' }),
      password: f.string({ description: 'Password of the user', required: true, sensitive: true }),
    },
    unauthenticated: ['update', 'create'],
    aliasLookahead: (_ctx, v) => v.username?.toLowerCase(),
    operations: {
      update: async (ctx, v) => {
        const name = v.username!.toLowerCase();
        const user = await loadUser(ctx, name);
        const ok = await hasher.verify(v.password!, user?.password);
        if (!ok || !user) throw new InvalidCredentialsError(INVALID);
        if (!addressAllowed(ctx.req.remoteAddr, user.token.token_bound_cidrs)) {
          throw new PermissionDeniedError();
        }
        if (hasher.outdated(user.password)) {
          user.password = await hasher.hash(v.password!);
          await ctx.storage.putJSON(userKey(name), user);
        }
        return {
          auth: toAuthResult(user.token, {
            displayName: authDisplayName(ctx.mount.path, name),
            alias: { name, metadata: { username: name } },
            metadata: { username: name },
            internalData: { username: name },
          }),
        };
      },
    },
    help: {
      synopsis: 'Log in with a username and password',
      description: 'POST with "password": answers an auth block with a token for the user.',
    },
  });
}
