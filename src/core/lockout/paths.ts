import { f } from '../../sdk/framework/fields.ts';
import { definePath } from '../../sdk/framework/path.ts';
import type { LockoutManager } from './manager.ts';

/** Vault's `sys/locked-users` answer (root namespace only: Coffer has no namespaces). */
export function lockedUsersJSON(
  locked: ReturnType<LockoutManager['list']>,
  mountAccessor?: string,
): Record<string, unknown> {
  const byMount = new Map<string, string[]>();
  for (const u of locked) {
    if (mountAccessor && u.mount_accessor !== mountAccessor) continue;
    const list = byMount.get(u.mount_accessor) ?? [];
    list.push(u.alias);
    byMount.set(u.mount_accessor, list);
  }
  const mounts = [...byMount.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([mount_accessor, aliases]) => ({
      mount_accessor,
      counts: aliases.length,
      alias_identifiers: aliases.sort(),
    }));
  const total = mounts.reduce((n, m) => n + m.counts, 0);
  return {
    by_namespace:
      total === 0
        ? []
        : [{ namespace_id: 'root', namespace_path: '', counts: total, mount_accessors: mounts }],
    total,
  };
}

/** sys paths: `locked-users` and `locked-users/:mount_accessor/unlock/:alias_identifier`. */
export function lockoutPaths(deps: { lockout: Pick<LockoutManager, 'list' | 'unlock'> }) {
  const read = (_ctx: unknown, v: { mount_accessor?: string | undefined }) => ({
    data: lockedUsersJSON(deps.lockout.list(), v.mount_accessor),
  });
  return [
    definePath({
      pattern: 'locked-users',
      fields: { mount_accessor: f.string({ description: 'Only this auth mount', in: 'query' }) },
      operations: { read, list: read },
      help: {
        synopsis: 'Report the users locked out after failed logins',
        description: 'GET answers the locked aliases per auth mount accessor, and their total.',
      },
    }),
    definePath({
      pattern: 'locked-users/:mount_accessor/unlock/:alias_identifier',
      fields: {
        mount_accessor: f.string({ description: 'Accessor of the auth mount', in: 'path' }),
        alias_identifier: f.string({ description: 'The locked alias (username, role id)', in: 'path' }),
      },
      operations: {
        update: (_ctx, v) => {
          deps.lockout.unlock(v.mount_accessor!, v.alias_identifier!);
        },
      },
      help: {
        synopsis: 'Unlock a locked user',
        description: 'POST lifts the lock of the alias on that auth mount (no error when it is not locked).',
      },
    }),
  ];
}
