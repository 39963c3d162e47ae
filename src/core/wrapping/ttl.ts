import { BadRequestError, PermissionDeniedError } from '../../sdk/errors.ts';
import { parseDuration } from '../../sdk/framework/duration.ts';
import { SYSTEM_MAX_LEASE_TTL } from '../../sdk/system.ts';

/** Request headers (lower-cased, as `Request.headers` holds them) that ask for a wrapped response. */
export const WRAP_TTL_HEADER = 'x-vault-wrap-ttl';
export const WRAP_FORMAT_HEADER = 'x-vault-wrap-format';

/**
 * `X-Vault-Wrap-TTL`: whole seconds ("300") or a duration ("60s", "5m", "1h30m"). Absent or blank →
 * undefined (no wrapping). Anything else must be a duration of at least one second and at most
 * `maxTTL` (the server's max lease TTL); otherwise 400.
 */
export function parseWrapTTL(
  header: string | undefined,
  maxTTL: number = SYSTEM_MAX_LEASE_TTL,
): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const ttl = parseDuration(header);
  if (ttl === undefined) {
    throw new BadRequestError(
      'invalid X-Vault-Wrap-TTL: expected seconds or a duration such as "60s" or "5m"',
    );
  }
  if (ttl < 0) throw new BadRequestError('requested wrap TTL cannot be negative');
  if (ttl === 0) throw new BadRequestError('requested wrap TTL must be at least one second');
  if (ttl > maxTTL) throw new BadRequestError('requested wrap TTL exceeds the maximum TTL');
  return ttl;
}

/**
 * `X-Vault-Wrap-FORMAT`: only JSON wrapping tokens exist. "jwt" is refused rather than answered with
 * the wrong kind of token; other values are ignored, as Vault ignores them.
 */
export function parseWrapFormat(header: string | undefined): 'json' {
  if (header?.trim().toLowerCase() === 'jwt') {
    throw new BadRequestError('wrapping format "jwt" is not supported');
  }
  return 'json';
}

/** The wrapping bounds the ACL computed for a request (from policies' `min_wrapping_ttl` / `max_wrapping_ttl`). */
export interface WrappingLimits {
  /** Seconds; 0 or absent = no bound. */
  readonly minWrappingTTL?: number;
  readonly maxWrappingTTL?: number;
}

/**
 * Vault's policy rule: a path with `min_wrapping_ttl` or `max_wrapping_ttl` requires wrapping, within
 * those bounds. A request that does not ask for wrapping, or asks outside the bounds, is denied (403),
 * as the ACL denies it in Vault.
 */
export function checkWrappingPolicy(wrapTTL: number | undefined, limits: WrappingLimits): void {
  const min = limits.minWrappingTTL ?? 0;
  const max = limits.maxWrappingTTL ?? 0;
  if (min <= 0 && max <= 0) return;
  if (wrapTTL === undefined)
    throw new PermissionDeniedError('permission denied: this path requires response wrapping');
  if (min > 0 && wrapTTL < min)
    throw new PermissionDeniedError('permission denied: wrapping TTL is below the minimum allowed');
  if (max > 0 && wrapTTL > max)
    throw new PermissionDeniedError('permission denied: wrapping TTL exceeds the maximum allowed');
}
