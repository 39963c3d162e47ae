/** The one shape a request has above the HTTP edge. Core and engines never see HTTP. */
export type Operation = 'read' | 'create' | 'update' | 'patch' | 'delete' | 'list';

export const operations: readonly Operation[] = ['read', 'create', 'update', 'patch', 'delete', 'list'];

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
