/** The one shape a request has above the HTTP edge. Core and engines never see HTTP. */
export type Operation = 'read' | 'create' | 'update' | 'patch' | 'delete' | 'list';

export const operations: readonly Operation[] = ['read', 'create', 'update', 'patch', 'delete', 'list'];

/**
 * How deep request data may nest: the HTTP edge refuses a deeper JSON body (400). Whatever walks
 * request or response data (audit hashing) must accept at least this depth, or a request the edge
 * accepted fails later.
 */
export const MAX_DATA_DEPTH = 500;

export interface Request {
  /** Random id, echoed as `request_id`. */
  readonly id: string;
  operation: Operation;
  /** Canonical API path without `/v1/` and without a leading or trailing slash, e.g. `secret/data/app`. */
  readonly path: string;
  /** The body for writes, the query for reads (as Vault does). Keys are field names. */
  data: Record<string, unknown>;
  /** Every header, lower-cased, except credentials (authorization, x-vault-token, cookie). */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw client token ('' when none). Never logged, never stored. */
  readonly clientToken: string;
  readonly remoteAddr: string;
  /** `?help=1`: answer with the path's help instead of running it. */
  readonly help?: boolean;
  /** `application/merge-patch+json` and the like. */
  readonly contentType?: string;
  /** Set by the router: where the matching mount is, and the path below it. */
  mountPoint?: string;
  mountPath?: string;
  /** Set by core once the token is known (absent on unauthenticated paths). */
  auth?: RequestAuth;
  /**
   * Set by core with `auth` when it resolved `clientToken` itself: the token store's salted hash
   * of `clientToken` (auth.tokenHash). What is derived from the client token (the audit's HMAC of
   * it) is remembered per this hash instead of hashing the token again.
   */
  clientTokenHash?: string;
}

/** Who is calling: what core knows of the request's token. Never holds the token itself. */
export interface RequestAuth {
  /** Salted hash of the token id: a stable, non-secret handle (cubbyhole storage is keyed by it). */
  readonly tokenHash: string;
  readonly accessor: string;
  /** Effective policies: the token's, its entity's and its groups'. */
  readonly policies: readonly string[];
  readonly tokenPolicies: readonly string[];
  readonly identityPolicies: readonly string[];
  readonly entityId: string;
  readonly displayName: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tokenType: 'service' | 'batch';
  /** Token path, e.g. `auth/userpass/login/alice`. */
  readonly path: string;
}

/**
 * What an auth method's login handler returns in `Response.auth`: core turns it into a token
 * (and an identity alias / entity) and answers with Vault's `auth` block.
 */
export interface AuthResult {
  /** Token policies granted by the method (before `default` is added). */
  policies: string[];
  displayName: string;
  metadata?: Record<string, string>;
  /** The identity alias: `name` is unique per auth mount (a username, a role id). */
  alias: { name: string; metadata?: Record<string, string> };
  /** Seconds; 0 = the mount / system default. */
  ttl?: number;
  maxTTL?: number;
  explicitMaxTTL?: number;
  period?: number;
  numUses?: number;
  renewable?: boolean;
  boundCIDRs?: string[];
  tokenType?: 'service' | 'batch' | 'default' | 'default-service' | 'default-batch';
  noDefaultPolicy?: boolean;
  /** Kept with the token for the method's own use (never returned to clients). */
  internalData?: Record<string, unknown>;
}

export interface Response {
  /** HTTP status override; default 200 with data, 204 without. */
  status?: number;
  data?: Record<string, unknown>;
  warnings?: string[];
  /**
   * Sent as the whole body, without the Vault envelope (sys/health, sys/seal-status and other
   * endpoints Vault answers bare).
   */
  raw?: unknown;
  headers?: Record<string, string>;
  /** Envelope fields that leases, auth and response wrapping fill in. */
  envelope?: EnvelopeFields;
  /** A login: core creates the token. */
  auth?: AuthResult;
  /** A secret with a lifetime (a database credential): core registers its lease. */
  secret?: SecretResult;
}

/** Fields of the Vault JSON envelope beyond `data` and `warnings`. */
export interface EnvelopeFields {
  lease_id?: string;
  renewable?: boolean;
  lease_duration?: number;
  auth?: unknown;
  wrap_info?: unknown;
  mount_type?: string;
}

/** Convenience for handlers. */
export function dataResponse(data: Record<string, unknown>, warnings?: string[]): Response {
  return warnings && warnings.length > 0 ? { data, warnings } : { data };
}

/**
 * A secret that lives for a while (a database user): the backend returns it, core persists a
 * lease (`lease_id`, `lease_duration`, `renewable` in the envelope) and, when the lease ends,
 * calls the backend's revoke handler for `type` with `internal`.
 */
export interface SecretResult {
  /** A key of the backend's `secrets` table, e.g. `creds`. */
  type: string;
  /** Seconds; 0 = the mount's default lease TTL. */
  ttl: number;
  /** Seconds; 0 = the mount's max lease TTL. */
  maxTTL?: number;
  renewable: boolean;
  /** Kept with the lease behind the barrier, never returned: what revoke and renew need. */
  internal: Record<string, unknown>;
}

/** What a backend's renew / revoke handlers get of a lease. */
export interface LeaseInfo {
  readonly leaseId: string;
  readonly type: string;
  readonly internal: Readonly<Record<string, unknown>>;
  /** Unix milliseconds. */
  readonly issueTime: number;
  readonly expireTime: number;
  /** Seconds the lease was last granted. */
  readonly ttl: number;
}
