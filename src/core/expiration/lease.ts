import { BadRequestError } from '../../sdk/errors.ts';
import { SYSTEM_DEFAULT_LEASE_TTL, SYSTEM_MAX_LEASE_TTL } from '../../sdk/system.ts';

/** One lease, as persisted at `sys/expire/id/<leaseId>` (behind the barrier). */
export interface LeaseEntry {
  /** `<request path>/<24 base62 chars>`, e.g. `database/creds/ro/3fK…`. */
  leaseId: string;
  /** The request path that created the secret (no leading or trailing slash). */
  path: string;
  mountUuid: string;
  /** A key of the backend's `secrets` table. */
  type: string;
  /** What the backend's revoke / renew need. Never returned to clients. */
  internal: Record<string, unknown>;
  /** Unix milliseconds. */
  issueTime: number;
  expireTime: number;
  /** Seconds last granted (at issue or at the last renewal). */
  ttl: number;
  /** Seconds granted at issue: what a renewal with increment 0 asks for. */
  creationTTL: number;
  /** Unix ms beyond which no renewal extends the lease. */
  maxExpireTime: number;
  renewable: boolean;
  /** Salted hash of the token that created it; '' for none. */
  tokenHash: string;
  lastRenewal?: number;
  /** Failed backend revocations so far. */
  revokeAttempts: number;
  lastError?: string;
  /** Revocation failed `maxAttempts` times: kept, retried daily, listed by `sys/leases?type=irrevocable`. */
  irrevocable: boolean;
  /** Unix ms of the next revocation attempt after a failure. */
  nextAttempt?: number;
}

export interface RegisterInput {
  /** The request path (the lease id starts with it). */
  path: string;
  mountUuid: string;
  type: string;
  internal: Record<string, unknown>;
  /** Seconds; 0 (or less) = the mount default. */
  ttl: number;
  /** Seconds; 0/absent = the mount max. */
  maxTTL?: number;
  renewable: boolean;
  /** '' for none. */
  tokenHash: string;
}

export interface TTLLimits {
  /** Seconds; <= 0 means the system default. */
  defaultTTL: number;
  /** Seconds; <= 0 means the system max. */
  maxTTL: number;
}

const positive = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
const whole = (n: number) => Math.max(1, Math.floor(n));

/** The effective max TTL of a mount: its own, capped by the system max (32 days). */
export function mountMaxTTL(limits: TTLLimits): number {
  return positive(limits.maxTTL)
    ? Math.min(whole(limits.maxTTL), SYSTEM_MAX_LEASE_TTL)
    : SYSTEM_MAX_LEASE_TTL;
}

/**
 * TTL rules of a new lease: ttl <= 0 → the mount default; ttl and max capped by the mount max
 * (itself capped by the system max). Nothing ever means "forever".
 */
export function leaseTTLs(
  ttl: number,
  maxTTL: number | undefined,
  limits: TTLLimits,
): { ttl: number; maxTTL: number } {
  const mountMax = mountMaxTTL(limits);
  const mountDefault = Math.min(
    positive(limits.defaultTTL) ? whole(limits.defaultTTL) : SYSTEM_DEFAULT_LEASE_TTL,
    mountMax,
  );
  const max = positive(maxTTL) ? Math.min(whole(maxTTL), mountMax) : mountMax;
  const t = positive(ttl) ? whole(ttl) : mountDefault;
  return { ttl: Math.min(t, max), maxTTL: max };
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` base62 characters without modulo bias. */
export function randomId(random: (n: number) => Buffer, length = 24): string {
  let out = '';
  while (out.length < length) {
    for (const b of random(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

/** A storage-key-safe path: no empty, `.` or `..` segments. Returns it without outer slashes. */
export function cleanPath(path: string, what: string): string {
  const p = path.replace(/^\/+|\/+$/g, '');
  if (p === '' || p.split('/').some((s) => s === '' || s === '.' || s === '..') || p.includes('\0'))
    throw new BadRequestError(`invalid ${what}`);
  return p;
}

/** Where a lease lives in the manager's view. */
export const leaseKey = (leaseId: string) => `id/${leaseId}`;

/** The token → lease index entry of a lease (none without a token). */
export function indexKey(lease: Pick<LeaseEntry, 'leaseId' | 'tokenHash'>): string | undefined {
  if (lease.tokenHash === '') return undefined;
  return `token/${lease.tokenHash}/${lease.leaseId.slice(lease.leaseId.lastIndexOf('/') + 1)}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Vault's `sys/leases/lookup` answer. */
export function lookupJSON(lease: LeaseEntry, now: number): Record<string, unknown> {
  return {
    id: lease.leaseId,
    issue_time: iso(lease.issueTime),
    expire_time: iso(lease.expireTime),
    last_renewal: lease.lastRenewal === undefined ? null : iso(lease.lastRenewal),
    renewable: lease.renewable && !lease.irrevocable && lease.expireTime > now,
    ttl: Math.max(0, Math.floor((lease.expireTime - now) / 1000)),
  };
}

/** One entry of `sys/leases?type=irrevocable`. */
export function irrevocableJSON(lease: LeaseEntry): Record<string, unknown> {
  return {
    lease_id: lease.leaseId,
    mount_id: lease.mountUuid,
    namespace: '',
    error: lease.lastError ?? '',
    expire_time: iso(lease.expireTime),
    revoke_attempts: lease.revokeAttempts,
    next_attempt: lease.nextAttempt === undefined ? null : iso(lease.nextAttempt),
  };
}
