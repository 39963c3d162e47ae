import {
  BadRequestError,
  definePath,
  f,
  type HandlerContext,
  InvalidCredentialsError,
} from '../../sdk/index.ts';
import { addressAllowed } from '../shared/cidr.ts';
import { authDisplayName } from '../shared/display-name.ts';
import { toAuthResult } from '../shared/token-fields.ts';
import {
  type ApproleState,
  deleteSecretId,
  expired,
  type RoleEntry,
  roleIdKey,
  roleKey,
  type SecretIdEntry,
  secretIdHmac,
  secretIdPrefix,
} from './store.ts';

const INVALID = 'invalid role or secret ID';

/**
 * Checks and spends one use of a secret id. Runs under the secret id's lock so concurrent logins
 * cannot both spend the last use: with num_uses = 1, exactly one wins.
 */
async function useSecretId(
  ctx: HandlerContext,
  state: ApproleState,
  role: RoleEntry,
  secretId: string,
): Promise<SecretIdEntry> {
  const hmac = await secretIdHmac(state, ctx.storage, secretId);
  const key = `${secretIdPrefix(role.role_name)}${hmac}`;
  return state.locks.run(key, async () => {
    const entry = await ctx.storage.getJSON<SecretIdEntry>(key);
    if (!entry) throw new InvalidCredentialsError(INVALID);
    const now = ctx.system.now().getTime();
    if (expired(entry, now)) {
      await deleteSecretId(state, ctx.storage, role.role_name, hmac, entry);
      throw new InvalidCredentialsError(INVALID);
    }
    if (!addressAllowed(ctx.req.remoteAddr, entry.cidr_list)) {
      throw new BadRequestError('source address unauthorized through CIDR restrictions on the secret ID');
    }
    if (entry.secret_id_num_uses === 1) {
      await deleteSecretId(state, ctx.storage, role.role_name, hmac, entry);
    } else if (entry.secret_id_num_uses > 1) {
      const next = { ...entry, secret_id_num_uses: entry.secret_id_num_uses - 1, last_updated_time: now };
      await ctx.storage.putJSON(key, next);
    }
    return entry;
  });
}

/** login: role_id (+ secret_id when the role binds one) → an AuthResult. */
export function loginPath(state: ApproleState) {
  return definePath({
    pattern: 'login',
    fields: {
      role_id: f.string({ description: 'The role id', required: true, sensitive: true }),
      secret_id: f.string({
        description: 'The secret id (required when the role binds one)',
        sensitive: true,
      }),
    },
    unauthenticated: ['update', 'create'],
    aliasLookahead: (_ctx, v) => (v.role_id ? v.role_id : undefined),
    operations: {
      update: async (ctx, v) => {
        if (v.role_id === '') throw new BadRequestError('missing role_id');
        const ref = await ctx.storage.getJSON<{ role_name: string }>(
          await roleIdKey(state, ctx.storage, v.role_id!),
        );
        const role = ref ? await ctx.storage.getJSON<RoleEntry>(roleKey(ref.role_name)) : undefined;
        if (!role || role.role_id !== v.role_id) throw new InvalidCredentialsError(INVALID);
        if (!addressAllowed(ctx.req.remoteAddr, role.secret_id_bound_cidrs)) {
          throw new BadRequestError('source address unauthorized through CIDR restrictions on the role');
        }
        let secret: SecretIdEntry | undefined;
        if (role.bind_secret_id) {
          if (v.secret_id === undefined || v.secret_id === '') throw new BadRequestError('missing secret_id');
          secret = await useSecretId(ctx, state, role, v.secret_id);
        }
        const metadata = { ...(secret?.metadata ?? {}), role_name: role.role_name };
        return {
          auth: toAuthResult(role.token, {
            displayName: authDisplayName(ctx.mount.path),
            alias: { name: role.role_id, metadata: { ...metadata } },
            metadata,
            internalData: {
              role_name: role.role_name,
              ...(secret ? { secret_id_accessor: secret.secret_id_accessor } : {}),
            },
            ...(secret && secret.token_bound_cidrs.length > 0
              ? { boundCIDRs: secret.token_bound_cidrs }
              : {}),
          }),
        };
      },
    },
    help: {
      synopsis: 'Log in with a role id and a secret id',
      description: 'POST with "role_id" and "secret_id": answers an auth block with a token for the role.',
    },
  });
}
