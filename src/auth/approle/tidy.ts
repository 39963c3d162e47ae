import { definePath, type HandlerContext } from '../../sdk/index.ts';
import {
  type ApproleState,
  accessorKey,
  deleteSecretId,
  expired,
  roleKey,
  type SecretIdEntry,
  secretIdPrefix,
} from './store.ts';

/** What a tidy removed (logged; Vault answers only that it ran). */
export interface TidyCounts {
  expired: number;
  orphaned: number;
  dangling_accessors: number;
}

/**
 * Removes expired secret ids, secret ids of deleted roles, and accessor entries whose secret id
 * is gone. Each secret id is handled under its lock, so a tidy never races a login.
 */
export async function tidySecretIds(ctx: HandlerContext, state: ApproleState): Promise<TidyCounts> {
  const counts: TidyCounts = { expired: 0, orphaned: 0, dangling_accessors: 0 };
  const now = ctx.system.now().getTime();
  const live = new Set<string>();
  for (const folder of await ctx.storage.list('secret_id/')) {
    const roleName = folder.replace(/\/$/, '');
    const roleExists = await ctx.storage.has(roleKey(roleName));
    const prefix = secretIdPrefix(roleName);
    for (const hmac of await ctx.storage.list(prefix)) {
      await state.locks.run(prefix + hmac, async () => {
        const entry = await ctx.storage.getJSON<SecretIdEntry>(prefix + hmac);
        if (!entry) return;
        if (!roleExists || expired(entry, now)) {
          await deleteSecretId(state, ctx.storage, roleName, hmac, entry);
          if (roleExists) counts.expired++;
          else counts.orphaned++;
          return;
        }
        live.add(await accessorKey(state, ctx.storage, entry.secret_id_accessor));
      });
    }
  }
  for (const name of await ctx.storage.list('accessor/')) {
    const key = `accessor/${name}`;
    if (live.has(key)) continue;
    const ref = await ctx.storage.getJSON<{ role_name: string; secret_id_hmac: string }>(key);
    if (ref && (await ctx.storage.has(`${secretIdPrefix(ref.role_name)}${ref.secret_id_hmac}`))) continue;
    await ctx.storage.delete(key);
    counts.dangling_accessors++;
  }
  return counts;
}

export function tidyPath(state: ApproleState) {
  return definePath({
    pattern: 'tidy/secret-id',
    fields: {},
    operations: {
      update: async (ctx) => {
        const counts = await tidySecretIds(ctx, state);
        ctx.logger.info('approle: tidy of secret ids done', { ...counts });
        return {
          status: 202,
          warnings: [
            "Tidy operation successfully started. Any information from the operation will be printed to Coffer's server logs.",
          ],
        };
      },
    },
    help: {
      synopsis: 'Remove expired and orphaned secret ids',
      description: 'POST removes expired secret ids, those of deleted roles and dangling accessors.',
    },
  });
}
