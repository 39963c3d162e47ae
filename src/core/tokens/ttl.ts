import { BadRequestError } from '../../sdk/errors.ts';

/** TTL limits of the token mount: its tuned values, else the server's (seconds). */
export interface TTLLimits {
  defaultTTL(): number;
  maxTTL(): number;
}

export interface CreationTTLInput {
  /** Requested TTL (0 = the default). */
  ttl: number;
  /** Periodic tokens renew to the period and have no max TTL (unless an explicit one). */
  period: number;
  explicitMaxTTL: number;
  /** A role's or auth method's max TTL (0 = the mount's). */
  maxTTL: number;
  /** Root tokens without a TTL never expire. */
  isRoot: boolean;
}

/**
 * The TTL a new token gets, in seconds (0 = never expires), as Vault computes it: the period for
 * periodic tokens; else the requested TTL or the default, capped by the max TTL; an explicit
 * max TTL caps either (and gives a TTL to a root token that asked for one).
 */
export function creationTTL(p: CreationTTLInput, limits: TTLLimits): { ttl: number; warnings: string[] } {
  const warnings: string[] = [];
  let ttl: number;
  if (p.period > 0) {
    ttl = p.period;
  } else {
    ttl = p.ttl > 0 ? p.ttl : p.isRoot ? 0 : limits.defaultTTL();
    const max = effectiveMax(p.maxTTL, limits);
    if (max > 0 && ttl > max) {
      warnings.push(
        `TTL of ${ttl}s exceeded the effective max_ttl of ${max}s; TTL value is capped accordingly`,
      );
      ttl = max;
    }
  }
  if (p.explicitMaxTTL > 0 && (ttl === 0 || ttl > p.explicitMaxTTL)) {
    if (ttl !== 0)
      warnings.push(
        `explicit max TTL of ${p.explicitMaxTTL}s is less than the token TTL; the token TTL is capped accordingly`,
      );
    ttl = p.explicitMaxTTL;
  }
  return { ttl, warnings };
}

function effectiveMax(maxTTL: number, limits: TTLLimits): number {
  const sys = limits.maxTTL();
  if (maxTTL > 0 && (sys === 0 || maxTTL < sys)) return maxTTL;
  return sys;
}

export interface RenewalInput {
  /** The TTL the token was created with (used when no increment is asked for). */
  creationTTL: number;
  period: number;
  explicitMaxTTL: number;
  maxTTL: number;
  /** When the token was issued (unix ms): max TTLs count from here. */
  issueTime: number;
}

/**
 * The TTL after a renewal at `nowMs`: the period for periodic tokens (capped only by an explicit
 * max TTL); else the increment or the original TTL, capped so the token never outlives its
 * explicit max TTL or the mount's max TTL, both counted from issue. Throws once nothing is left.
 */
export function renewalTTL(
  p: RenewalInput,
  increment: number,
  nowMs: number,
  limits: TTLLimits,
): { ttl: number; warnings: string[] } {
  const warnings: string[] = [];
  let ttl: number;
  let max: number;
  if (p.period > 0) {
    ttl = p.period;
    max = p.explicitMaxTTL;
  } else {
    ttl = increment > 0 ? increment : p.creationTTL;
    max = effectiveMax(p.maxTTL, limits);
    if (p.explicitMaxTTL > 0 && (max === 0 || p.explicitMaxTTL < max)) max = p.explicitMaxTTL;
  }
  if (max > 0) {
    const left = Math.floor((p.issueTime + max * 1000 - nowMs) / 1000);
    if (left <= 0) throw new BadRequestError('past the max TTL, cannot renew');
    if (ttl === 0 || ttl > left) {
      warnings.push(
        `TTL of ${ttl}s exceeded the effective max_ttl of ${max}s; TTL value is capped accordingly`,
      );
      ttl = left;
    }
  }
  return { ttl, warnings };
}
