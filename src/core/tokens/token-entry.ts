/**
 * What the token store keeps per token. The token id itself is never stored: `hash` is its HMAC
 * under the store's salt. The accessor is not a secret (lookups return it); it is stored in the
 * entry and, keyed by its own HMAC, in the accessor index.
 */
export type TokenType = 'service' | 'batch';

export interface TokenEntry {
  /** HMAC of the token id: the storage key, never the id itself. */
  readonly hash: string;
  /** '' for batch tokens (they have none). */
  readonly accessor: string;
  readonly accessorHash: string;
  /** Sanitized: sorted, deduplicated, `default` included unless no_default_policy. */
  readonly policies: readonly string[];
  /** Where it was created: `auth/token/create`, `auth/userpass/login/alice`, ... */
  readonly path: string;
  readonly displayName: string;
  readonly meta: Readonly<Record<string, string>>;
  /** Unix seconds. */
  readonly creationTime: number;
  /** Unix milliseconds: max TTLs count from here. */
  readonly issueTime: number;
  /** Seconds: the TTL it was created with (0 = never expires). */
  readonly creationTTL: number;
  /** Seconds: the TTL given at creation or the last renewal. */
  readonly ttl: number;
  /** Unix milliseconds, 0 = never expires. Absolute, so expiry survives restarts. */
  readonly expireTime: number;
  /** Unix milliseconds of the last renewal, 0 = never renewed. */
  readonly lastRenewalTime: number;
  readonly explicitMaxTTL: number;
  /** A role's or auth method's max TTL in seconds; 0 = the mount's. */
  readonly maxTTL: number;
  readonly period: number;
  /** Uses left; 0 = unlimited. */
  readonly numUses: number;
  /** The parent's hash; '' for orphans. */
  readonly parent: string;
  readonly orphan: boolean;
  readonly type: TokenType;
  readonly renewable: boolean;
  readonly boundCIDRs: readonly string[];
  readonly entityId: string;
  /** The token role it was created from ('' = none). */
  readonly role: string;
  /** Kept for the auth method that issued it; never returned to clients. */
  readonly internalData: Readonly<Record<string, unknown>>;
}

/** Fills fields missing from entries written by older versions (root tokens of the first format). */
export function normalizeEntry(raw: Partial<TokenEntry> & { hash: string }): TokenEntry {
  const creationTime = raw.creationTime ?? 0;
  const ttl = raw.ttl ?? 0;
  const issueTime = raw.issueTime ?? creationTime * 1000;
  return {
    hash: raw.hash,
    accessor: raw.accessor ?? '',
    accessorHash: raw.accessorHash ?? '',
    policies: raw.policies ?? [],
    path: raw.path ?? '',
    displayName: raw.displayName ?? '',
    meta: raw.meta ?? {},
    creationTime,
    issueTime,
    creationTTL: raw.creationTTL ?? ttl,
    ttl,
    expireTime: raw.expireTime ?? (ttl > 0 ? issueTime + ttl * 1000 : 0),
    lastRenewalTime: raw.lastRenewalTime ?? 0,
    explicitMaxTTL: raw.explicitMaxTTL ?? 0,
    maxTTL: raw.maxTTL ?? 0,
    period: raw.period ?? 0,
    numUses: raw.numUses ?? 0,
    parent: raw.parent ?? '',
    orphan: raw.orphan ?? (raw.parent ?? '') === '',
    type: raw.type ?? 'service',
    renewable: raw.renewable ?? false,
    boundCIDRs: raw.boundCIDRs ?? [],
    entityId: raw.entityId ?? '',
    role: raw.role ?? '',
    internalData: raw.internalData ?? {},
  };
}

/** Seconds left at `nowMs` (0 for tokens that never expire). */
export function remainingTTL(e: TokenEntry, nowMs: number): number {
  if (e.expireTime === 0) return 0;
  return Math.max(0, Math.floor((e.expireTime - nowMs) / 1000));
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Vault's lookup data. `id` is the token itself when the caller presented it (lookup-self,
 * lookup with `token`), '' for lookup-accessor.
 */
export function lookupData(e: TokenEntry, id: string, nowMs: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    accessor: e.accessor,
    creation_time: e.creationTime,
    creation_ttl: e.creationTTL,
    display_name: e.displayName,
    entity_id: e.entityId,
    expire_time: e.expireTime === 0 ? null : rfc3339(e.expireTime),
    explicit_max_ttl: e.explicitMaxTTL,
    id,
    issue_time: rfc3339(e.issueTime),
    meta: Object.keys(e.meta).length > 0 ? { ...e.meta } : null,
    num_uses: e.numUses,
    orphan: e.orphan,
    path: e.path,
    policies: [...e.policies],
    renewable: e.renewable,
    ttl: remainingTTL(e, nowMs),
    type: e.type,
  };
  if (e.period > 0) out.period = e.period;
  if (e.role !== '') out.role = e.role;
  if (e.boundCIDRs.length > 0) out.bound_cidrs = [...e.boundCIDRs];
  if (e.lastRenewalTime > 0) {
    out.last_renewal_time = Math.floor(e.lastRenewalTime / 1000);
    out.last_renewal = rfc3339(e.lastRenewalTime);
  }
  return out;
}

/**
 * Vault's `auth` block for creates and renewals. `clientToken` is '' when the caller did not
 * present the token (renew-accessor). `identity_policies` appears only when there are some, as
 * Vault omits it when empty.
 */
export function authBlock(
  e: TokenEntry,
  clientToken: string,
  identityPolicies: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    client_token: clientToken,
    accessor: e.accessor,
    policies: [...new Set([...e.policies, ...identityPolicies])].sort(),
    token_policies: [...e.policies],
  };
  if (identityPolicies.length > 0) out.identity_policies = [...identityPolicies];
  Object.assign(out, {
    metadata: Object.keys(e.meta).length > 0 ? { ...e.meta } : null,
    lease_duration: e.ttl,
    renewable: e.renewable,
    entity_id: e.entityId,
    token_type: e.type,
    orphan: e.orphan,
    mfa_requirement: null,
    num_uses: e.numUses,
  });
  return out;
}
