import type { Operation } from '../../sdk/request.ts';

/**
 * Paths that need the `sudo` capability on top of the operation's own capability (Vault's
 * root-protected paths). A trailing `*` is a prefix match; anything else is exact.
 */
export const SUDO_PATHS: ReadonlyArray<{ readonly pattern: string; readonly why: string }> = [
  { pattern: 'sys/audit', why: 'list the audit devices' },
  { pattern: 'sys/audit/*', why: 'enable or disable an audit device' },
  {
    pattern: 'sys/auth/*',
    why: 'enable, disable or tune an auth method (sys/auth itself, the list, is not)',
  },
  { pattern: 'sys/remount', why: 'move a mount' },
  { pattern: 'sys/rotate', why: 'rotate the barrier key' },
  { pattern: 'sys/seal', why: 'seal the server' },
  { pattern: 'sys/step-down', why: 'make the active node step down' },
  { pattern: 'sys/raw', why: 'raw storage access, below the mounts' },
  { pattern: 'sys/raw/*', why: 'raw storage access, below the mounts' },
  { pattern: 'sys/config/cors', why: 'CORS settings of the API' },
  { pattern: 'sys/config/auditing/*', why: 'headers audit devices record' },
  { pattern: 'sys/config/ui/headers/*', why: 'headers the UI is served with' },
  { pattern: 'sys/plugins/catalog/*', why: 'register or remove plugins' },
  { pattern: 'sys/leases/lookup/*', why: 'list lease ids under a prefix' },
  { pattern: 'sys/leases/revoke-prefix/*', why: 'revoke every lease under a prefix' },
  { pattern: 'sys/leases/revoke-force/*', why: 'drop leases without revoking the secrets' },
  { pattern: 'sys/revoke-prefix/*', why: 'old path of sys/leases/revoke-prefix' },
  { pattern: 'sys/revoke-force/*', why: 'old path of sys/leases/revoke-force' },
  { pattern: 'sys/internal/inspect/*', why: 'dump internal state of subsystems' },
  { pattern: 'sys/storage/raft/snapshot-auto/config/*', why: 'automated snapshot configuration' },
  { pattern: 'auth/token/accessors*', why: 'list every token accessor (auth/token/accessors and …/)' },
  { pattern: 'auth/token/revoke-orphan', why: 'revoke a token but not its children' },
  { pattern: 'auth/token/revoke-orphan/*', why: 'the same, token in the path (old form)' },
];

const exact = new Set<string>();
const prefixes: string[] = [];
for (const { pattern } of SUDO_PATHS) {
  if (pattern.endsWith('*')) prefixes.push(pattern.slice(0, -1));
  else exact.add(pattern);
}

/** The first segments of every pattern (`sys/`, `auth/`): a path under none of them needs no sudo. */
const heads = [...new Set(SUDO_PATHS.map(({ pattern }) => pattern.slice(0, pattern.indexOf('/') + 1)))];

function matches(path: string): boolean {
  if (!heads.some((h) => path.startsWith(h))) return false;
  return exact.has(path) || prefixes.some((p) => path.startsWith(p));
}

/**
 * Does `path` (canonical, no leading slash) need sudo? For `list`, the path is also tried with a
 * trailing `/`, as Vault's router sees a LIST (LIST sys/leases/lookup is sys/leases/lookup/).
 */
export function isSudoPath(path: string, op?: Operation): boolean {
  const p = path.startsWith('/') ? path.replace(/^\/+/, '') : path;
  if (matches(p)) return true;
  return op === 'list' && !p.endsWith('/') && matches(`${p}/`);
}
