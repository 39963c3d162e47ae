/**
 * Audit entries in Vault's shape: one for the request, one for the response. Hashing happens
 * here, per device (each has its own salt and options). Empty fields inside `auth`, `request` and
 * `response` are left out, as Vault's `omitempty` does; those three are always present.
 *
 * The broker writes lines, not objects: the `auth` and `request` blocks of a request are written
 * as JSON once per device (`entryBlocks`) and spliced into both its request line and its response
 * line. `requestEntry` / `responseEntry` give the same entries parsed, for tests and tools.
 */
import type { Request, RequestAuth, Response } from '../../sdk/request.ts';
import { copyValue, hashClientToken, hashString, hashValue, hashValueJSON, jsonString } from './hash.ts';

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

/** An entry as an object (parsed from its line). */
export type AuditEntry = Record<string, unknown>;

/**
 * The serialized `auth` and `request` blocks of one request for one device, and what they were
 * built from: the response line reuses them only while the input still matches.
 */
export interface EntryBlocks {
  readonly auth: string;
  readonly request: string;
  readonly from: BlockSource;
}

/** The parts of an input the `auth` and `request` blocks depend on, compared by identity. */
interface BlockSource {
  request: Request;
  data: Request['data'];
  auth: RequestAuth | undefined;
  operation: Request['operation'];
  mountPoint: string | undefined;
  mount: AuditMountInfo | undefined;
  wrapTTL: number | undefined;
  tokenTTL: number | undefined;
  tokenIssueTime: Date | undefined;
}

/** A request entry as an object: the parse of its line (for tests and tools; the broker writes lines). */
export function requestEntry(input: AuditInput, fmt: EntryFormat, now: Date): AuditEntry {
  return JSON.parse(requestLine(input, entryBlocks(input, fmt), now.toISOString())) as AuditEntry;
}

/** A response entry as an object: the parse of its line. */
export function responseEntry(input: AuditInput, fmt: EntryFormat, now: Date): AuditEntry {
  return JSON.parse(responseLine(input, fmt, entryBlocks(input, fmt), now.toISOString())) as AuditEntry;
}

/**
 * Serializes the `auth` and `request` blocks (the client token is hashed once): the JSON of
 * `blocks(input, fmt)`, written field by field. The `auth` block of a shared (frozen) RequestAuth
 * is remembered per device and client-token HMAC, with the accessor's HMAC.
 */
export function entryBlocks(input: AuditInput, fmt: EntryFormat): EntryBlocks {
  const token = clientTokenSecret(fmt, input.request);
  const { auth, tokenFields } = authJSON(input, fmt, token);
  return { auth, request: requestJSON(input, fmt, tokenFields), from: sourceOf(input) };
}

/**
 * Whether `blocks` still describe `input`: same request, and none of the fields the blocks read
 * has been replaced since (core passes the same objects to the request and the response entry).
 */
export function blocksFit(blocks: EntryBlocks, input: AuditInput): boolean {
  const f = blocks.from;
  const req = input.request;
  return (
    f.request === req &&
    f.data === req.data &&
    f.auth === req.auth &&
    f.operation === req.operation &&
    f.mountPoint === req.mountPoint &&
    f.mount === input.mount &&
    f.wrapTTL === input.wrapTTL &&
    f.tokenTTL === input.tokenTTL &&
    f.tokenIssueTime === input.tokenIssueTime
  );
}

/** `JSON.stringify(requestEntry(input, fmt, now))`, from the blocks; `time` is `now.toISOString()`. */
export function requestLine(input: AuditInput, blocks: EntryBlocks, time: string): string {
  return `{"time":${jsonString(time)},"type":"request","auth":${blocks.auth},"request":${blocks.request}${errorField(input)}}`;
}

/** `JSON.stringify(responseEntry(input, fmt, now))`, from the blocks; `time` is `now.toISOString()`. */
export function responseLine(input: AuditInput, fmt: EntryFormat, blocks: EntryBlocks, time: string): string {
  const response = responseJSON(input, fmt);
  return `{"time":${jsonString(time)},"type":"response","auth":${blocks.auth},"request":${blocks.request},"response":${response}${errorField(input)}}`;
}

function errorField(input: AuditInput): string {
  if (!input.error) return '';
  const json = JSON.stringify(input.error);
  return json === undefined ? '' : `,"error":${json}`;
}

function sourceOf(input: AuditInput): BlockSource {
  const req = input.request;
  return {
    request: req,
    data: req.data,
    auth: req.auth,
    operation: req.operation,
    mountPoint: req.mountPoint,
    mount: input.mount,
    wrapTTL: input.wrapTTL,
    tokenTTL: input.tokenTTL,
    tokenIssueTime: input.tokenIssueTime,
  };
}

// Hashing per format: plain functions, so building a block allocates no closures.

function secret(fmt: EntryFormat, s: string | undefined): string | undefined {
  return s === undefined || s === '' || fmt.logRaw ? s : hashString(fmt.salt, s);
}

/** The request's client token as logged: `secret`, remembered per token when core resolved it. */
function clientTokenSecret(fmt: EntryFormat, req: AuditInput['request']): string | undefined {
  const s = req.clientToken;
  if (s === '' || fmt.logRaw || req.clientTokenHash === undefined) return secret(fmt, s);
  return hashClientToken(fmt.salt, s, req.clientTokenHash);
}

function accessorOf(fmt: EntryFormat, s: string | undefined): string | undefined {
  return fmt.hmacAccessor ? secret(fmt, s) : s;
}

const NO_KEYS: ReadonlySet<string> = new Set();

function hashedData(fmt: EntryFormat, v: unknown, keep: readonly string[] | undefined): unknown {
  if (fmt.logRaw) return copyValue(v);
  return hashValue(fmt.salt, v, keep && keep.length > 0 ? new Set(keep) : NO_KEYS);
}

/** The response's `auth` block (a login's), its token and accessor hashed. */
function responseAuth(input: AuditInput, fmt: EntryFormat): AuditEntry | undefined {
  const env = input.response?.envelope ?? {};
  const raw = input.authResponse ?? (isObject(env.auth) ? env.auth : undefined);
  if (!raw) return undefined;
  const auth = copyValue(raw) as AuditEntry;
  if (typeof auth.client_token === 'string') auth.client_token = secret(fmt, auth.client_token);
  if (typeof auth.accessor === 'string') auth.accessor = accessorOf(fmt, auth.accessor);
  return auth;
}

/** The response's `wrap_info` (a wrapped response's), its token and accessors hashed. */
function responseWrapInfo(input: AuditInput, fmt: EntryFormat): AuditEntry | undefined {
  const raw = input.response?.envelope?.wrap_info;
  if (!isObject(raw)) return undefined;
  const wrapInfo = copyValue(raw) as AuditEntry;
  if (typeof wrapInfo.token === 'string') wrapInfo.token = secret(fmt, wrapInfo.token);
  if (typeof wrapInfo.accessor === 'string') wrapInfo.accessor = accessorOf(fmt, wrapInfo.accessor);
  if (typeof wrapInfo.wrapped_accessor === 'string')
    wrapInfo.wrapped_accessor = accessorOf(fmt, wrapInfo.wrapped_accessor);
  return wrapInfo;
}

// The blocks are written as JSON field by field, in Vault's order.

/**
 * `,"k":<JSON of v>`, or '' for Vault's omitempty: undefined, null, '', an empty array or object.
 * Keys are plain ASCII names.
 */
function field(k: string, v: unknown): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v === 'string') return `,"${k}":${jsonString(v)}`;
  if (typeof v === 'object' && (Array.isArray(v) ? v.length === 0 : !hasOwnKey(v))) return '';
  const text = JSON.stringify(v);
  return text === undefined ? '' : `,"${k}":${text}`;
}

/** `{...}` from `field` parts. */
function object(parts: string): string {
  return parts === '' ? '{}' : `{${parts.slice(1)}}`;
}

interface AuthText {
  /** The `auth` block's JSON. */
  auth: string;
  /** The request block's `client_token` and `client_token_accessor` fields. */
  tokenFields: string;
}

interface RememberedAuth extends AuthText {
  fmt: EntryFormat;
  token: string | undefined;
}

/** Per shared RequestAuth: its `auth` block per device (few devices: a short list). */
const authMemo = new WeakMap<RequestAuth, RememberedAuth[]>();
const MAX_AUTH_FORMATS = 4;

/**
 * A RequestAuth frozen all the way down (access/resolver.ts shares one per token entry): its
 * fields cannot change under a remembered block.
 */
function isDeepFrozen(a: RequestAuth): boolean {
  return (
    Object.isFrozen(a) &&
    Object.isFrozen(a.policies) &&
    Object.isFrozen(a.tokenPolicies) &&
    Object.isFrozen(a.identityPolicies) &&
    Object.isFrozen(a.metadata)
  );
}

function authJSON(input: AuditInput, fmt: EntryFormat, token: string | undefined): AuthText {
  const a = input.request.auth;
  // The block also depends on the token's TTL and issue time when core passes them: not remembered.
  const shared =
    a !== undefined && input.tokenTTL === undefined && input.tokenIssueTime === undefined && isDeepFrozen(a);
  if (!shared) return buildAuthJSON(input, fmt, token);
  let list = authMemo.get(a);
  if (list === undefined) {
    list = [];
    authMemo.set(a, list);
  }
  for (const r of list) if (r.fmt === fmt && r.token === token) return r;
  const built: RememberedAuth = { ...buildAuthJSON(input, fmt, token), fmt, token };
  if (list.length >= MAX_AUTH_FORMATS) list.shift();
  list.push(built);
  return built;
}

function buildAuthJSON(input: AuditInput, fmt: EntryFormat, token: string | undefined): AuthText {
  const a = input.request.auth;
  const accessor = accessorOf(fmt, a?.accessor);
  let parts = field('client_token', token) + field('accessor', accessor);
  if (a) {
    parts +=
      field('display_name', a.displayName) +
      field('policies', a.policies) +
      field('token_policies', a.tokenPolicies) +
      field('identity_policies', a.identityPolicies) +
      field('metadata', a.metadata) +
      field('entity_id', a.entityId) +
      field('token_type', a.tokenType);
  }
  parts +=
    field('token_ttl', input.tokenTTL) + field('token_issue_time', input.tokenIssueTime?.toISOString());
  return {
    auth: object(parts),
    tokenFields: field('client_token', token) + field('client_token_accessor', accessor),
  };
}

/** The `data` field: hashed (memoized for shared values) unless log_raw or non-HMAC keys apply. */
function dataField(fmt: EntryFormat, v: unknown, keep: readonly string[] | undefined): string {
  if (
    fmt.logRaw ||
    (keep && keep.length > 0) ||
    v === null ||
    typeof v !== 'object' ||
    typeof (v as { toJSON?: unknown }).toJSON === 'function'
  )
    return field('data', hashedData(fmt, v, keep));
  // The hashed copy has the same own keys (or length) as `v`: `put`'s emptiness test on `v`.
  if (Array.isArray(v) ? v.length === 0 : !hasOwnKey(v)) return '';
  const text = hashValueJSON(fmt.salt, v);
  return text === undefined ? '' : `,"data":${text}`;
}

function requestJSON(input: AuditInput, fmt: EntryFormat, tokenFields: string): string {
  const req = input.request;
  const mount = input.mount;
  return object(
    field('id', req.id) +
      field('operation', req.operation) +
      field('mount_type', mount?.type) +
      field('mount_accessor', mount?.accessor) +
      field('mount_point', mount?.path ?? req.mountPoint) +
      tokenFields +
      ',"namespace":{"id":"root"}' +
      field('path', req.path) +
      dataField(fmt, req.data, mount?.nonHmacRequestKeys) +
      field('remote_address', req.remoteAddr) +
      field('wrap_ttl', input.wrapTTL),
  );
}

function responseJSON(input: AuditInput, fmt: EntryFormat): string {
  const res = input.response ?? {};
  const env = res.envelope ?? {};
  const mount = input.mount;
  let parts =
    field('mount_type', mount?.type) +
    field('mount_accessor', mount?.accessor) +
    field('mount_point', mount?.path ?? input.request.mountPoint);
  if (res.data !== undefined) {
    const data =
      fmt.elideListResponses && input.request.operation === 'list' && res.data
        ? elideList(res.data)
        : res.data;
    parts += dataField(fmt, data, mount?.nonHmacResponseKeys);
  }
  parts += field('auth', responseAuth(input, fmt)) + field('wrap_info', responseWrapInfo(input, fmt));
  parts += field('warnings', res.warnings);
  if (env.lease_id) parts += `,"secret":{"lease_id":${JSON.stringify(env.lease_id)}}`;
  return object(parts);
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

/** `Object.keys(o).length > 0` without building the array. */
function hasOwnKey(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}
