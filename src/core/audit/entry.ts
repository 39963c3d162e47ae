/**
 * Audit entries in Vault's shape: one for the request, one for the response. Hashing happens
 * here, per device (each has its own salt and options). Empty fields inside `auth`, `request` and
 * `response` are left out, as Vault's `omitempty` does; those three are always present.
 */
import type { Request, Response } from '../../sdk/request.ts';
import { copyValue, hashString, hashValue } from './hash.ts';

/** What core hands the broker for one request (and, for the response entry, its outcome). */
export interface AuditInput {
  request: Request;
  response?: Response;
  /** The error the request failed with (its public message; never a secret). */
  error?: string;
  /** The mount the request was routed to. */
  mount?: AuditMountInfo;
  /** Vault's `auth` block of a login response (client_token, accessor, policies, ...). */
  authResponse?: Record<string, unknown>;
  /** The request's X-Vault-Wrap-TTL in seconds, when it asked for wrapping. */
  wrapTTL?: number;
  /** Of the calling token, when core knows them. */
  tokenTTL?: number;
  tokenIssueTime?: Date;
}

export interface AuditMountInfo {
  type: string;
  accessor: string;
  /** e.g. `secret/` */
  path: string;
  nonHmacRequestKeys?: readonly string[];
  nonHmacResponseKeys?: readonly string[];
}

/** How one device formats entries. */
export interface EntryFormat {
  salt: Buffer;
  /** Log everything in the clear (option log_raw). */
  logRaw: boolean;
  /** Hash token accessors (option hmac_accessor, default true). */
  hmacAccessor: boolean;
  /** On list responses, replace `keys` and `key_info` by their counts. */
  elideListResponses: boolean;
}

export type AuditEntry = Record<string, unknown>;

export function requestEntry(input: AuditInput, fmt: EntryFormat, now: Date): AuditEntry {
  const entry: AuditEntry = {
    time: now.toISOString(),
    type: 'request',
    auth: authBlock(input, fmt),
    request: requestBlock(input, fmt),
  };
  if (input.error) entry.error = input.error;
  return entry;
}

export function responseEntry(input: AuditInput, fmt: EntryFormat, now: Date): AuditEntry {
  const entry: AuditEntry = {
    time: now.toISOString(),
    type: 'response',
    auth: authBlock(input, fmt),
    request: requestBlock(input, fmt),
    response: responseBlock(input, fmt),
  };
  if (input.error) entry.error = input.error;
  return entry;
}

function hasher(fmt: EntryFormat) {
  const secret = (s: string | undefined): string | undefined =>
    s === undefined || s === '' || fmt.logRaw ? s : hashString(fmt.salt, s);
  const accessor = (s: string | undefined): string | undefined => (fmt.hmacAccessor ? secret(s) : s);
  const data = (v: unknown, keep: readonly string[] | undefined): unknown =>
    fmt.logRaw ? copyValue(v) : hashValue(fmt.salt, v, new Set(keep ?? []));
  return { secret, accessor, data };
}

function authBlock(input: AuditInput, fmt: EntryFormat): AuditEntry {
  const h = hasher(fmt);
  const a = input.request.auth;
  return compact({
    client_token: h.secret(input.request.clientToken),
    accessor: h.accessor(a?.accessor),
    display_name: a?.displayName,
    policies: a ? [...a.policies] : undefined,
    token_policies: a ? [...a.tokenPolicies] : undefined,
    identity_policies: a ? [...a.identityPolicies] : undefined,
    metadata: a ? { ...a.metadata } : undefined,
    entity_id: a?.entityId,
    token_type: a?.tokenType,
    token_ttl: input.tokenTTL,
    token_issue_time: input.tokenIssueTime?.toISOString(),
  });
}

function requestBlock(input: AuditInput, fmt: EntryFormat): AuditEntry {
  const h = hasher(fmt);
  const req = input.request;
  return compact({
    id: req.id,
    operation: req.operation,
    mount_type: input.mount?.type,
    mount_accessor: input.mount?.accessor,
    mount_point: input.mount?.path ?? req.mountPoint,
    client_token: h.secret(req.clientToken),
    client_token_accessor: h.accessor(req.auth?.accessor),
    namespace: { id: 'root' },
    path: req.path,
    data: h.data(req.data, input.mount?.nonHmacRequestKeys),
    remote_address: req.remoteAddr,
    wrap_ttl: input.wrapTTL,
  });
}

function responseBlock(input: AuditInput, fmt: EntryFormat): AuditEntry {
  const res = input.response ?? {};
  const h = hasher(fmt);
  const env = res.envelope ?? {};
  let data: unknown = res.data;
  if (fmt.elideListResponses && input.request.operation === 'list' && data) data = elideList(res.data!);
  const authRaw = input.authResponse ?? (isObject(env.auth) ? env.auth : undefined);
  let auth: AuditEntry | undefined;
  if (authRaw) {
    auth = copyValue(authRaw) as AuditEntry;
    if (typeof auth.client_token === 'string') auth.client_token = h.secret(auth.client_token);
    if (typeof auth.accessor === 'string') auth.accessor = h.accessor(auth.accessor);
  }
  let wrapInfo: AuditEntry | undefined;
  if (isObject(env.wrap_info)) {
    wrapInfo = copyValue(env.wrap_info) as AuditEntry;
    if (typeof wrapInfo.token === 'string') wrapInfo.token = h.secret(wrapInfo.token);
    if (typeof wrapInfo.accessor === 'string') wrapInfo.accessor = h.accessor(wrapInfo.accessor);
    if (typeof wrapInfo.wrapped_accessor === 'string')
      wrapInfo.wrapped_accessor = h.accessor(wrapInfo.wrapped_accessor);
  }
  return compact({
    mount_type: input.mount?.type,
    mount_accessor: input.mount?.accessor,
    mount_point: input.mount?.path ?? input.request.mountPoint,
    data: data === undefined ? undefined : h.data(data, input.mount?.nonHmacResponseKeys),
    auth,
    wrap_info: wrapInfo,
    warnings: res.warnings ? [...res.warnings] : undefined,
    secret: env.lease_id ? { lease_id: env.lease_id } : undefined,
  });
}

/** Vault's elide_list_responses: `keys` and `key_info` become their counts. */
function elideList(data: Record<string, unknown>): Record<string, unknown> {
  const out = { ...data };
  if (Array.isArray(out.keys)) out.keys = out.keys.length;
  if (isObject(out.key_info)) out.key_info = Object.keys(out.key_info).length;
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Drops undefined, '' and empty arrays / objects (Vault's omitempty), one level deep. */
function compact(o: Record<string, unknown>): AuditEntry {
  const out: AuditEntry = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === '' || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isObject(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}
