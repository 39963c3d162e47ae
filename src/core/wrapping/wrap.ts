import { destroyCubbyhole, readCubbyhole, writeCubbyhole } from '../../engines/cubbyhole/store.ts';
import { BadRequestError } from '../../sdk/errors.ts';
import type { EnvelopeFields, Response } from '../../sdk/request.ts';
import type { StorageView } from '../../sdk/storage-view.ts';

/**
 * Response wrapping: a response is stored in the cubbyhole of a fresh single-use token and the
 * client gets only that token (`wrap_info`). Whoever presents the token first gets the response;
 * the token and its cubbyhole are then gone.
 */

/** The policy wrapping tokens carry (it must exist in the policy store: sys/wrapping/* only). */
export const RESPONSE_WRAPPING_POLICY = 'response-wrapping';
/** Where the wrapped response lives in the wrapping token's cubbyhole. */
export const WRAPPED_RESPONSE_PATH = 'response';

export interface WrappingTokenInfo {
  /** The token's hash: its cubbyhole is keyed by it. */
  readonly hash: string;
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly creationTime: Date;
  /** The TTL the token was created with (seconds), not what is left of it. */
  readonly ttl: number;
  /** The request path whose response the token wraps. */
  readonly creationPath: string;
}

/** What wrapping needs from core. The token store and the cubbyhole mount are wired by the lead. */
export interface WrappingDeps {
  /**
   * A service token with policies ['response-wrapping'], num_uses 1, ttl = explicit max ttl = `ttl`,
   * no parent (orphan), not renewable, its `path` = `creationPath`.
   */
  createWrappingToken(
    ttl: number,
    creationPath: string,
  ): Promise<{ id: string; accessor: string; hash: string; creationTime: Date }>;
  /** undefined when the token does not exist, is revoked or has expired. */
  lookupWrappingToken(id: string): Promise<WrappingTokenInfo | undefined>;
  /**
   * Atomically consumes the token's single use and revokes it (destroying its cubbyhole). Resolves
   * true for exactly one caller per token; false for every other, and for unknown/expired tokens.
   */
  useAndRevoke(id: string): Promise<boolean>;
  /** The cubbyhole mount's storage view (what the cubbyhole engine is given). */
  cubbyhole: StorageView;
  now(): Date;
}

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  /** RFC 3339. */
  creation_time: string;
  creation_path: string;
  /** The accessor of what the wrapped response holds (a token's), when there is one. */
  wrapped_accessor?: string;
}

/** The response as it would have been sent, in Vault's envelope shape. */
export interface StoredResponse {
  request_id?: string;
  lease_id: string;
  renewable: boolean;
  lease_duration: number;
  data: Record<string, unknown> | null;
  wrap_info: null;
  warnings: string[] | null;
  auth: unknown;
  mount_type?: string;
}

export interface WrapOptions {
  /** Seconds (from parseWrapTTL, after the policy check). */
  ttl: number;
  /** The request path, e.g. `secret/data/app` or `sys/wrapping/wrap`. */
  creationPath: string;
  /** Defaults to the accessor in `res.envelope.auth`, when the response carries a token. */
  wrappedAccessor?: string;
  format?: 'json';
  /** Stored as the wrapped response's `request_id`. */
  requestId?: string;
}

/** The one answer (400) for a token that is unknown, expired, used, or not a wrapping token. */
export const INVALID_WRAPPING_TOKEN = 'wrapping token is not valid or does not exist';
const invalidToken = () => new BadRequestError(INVALID_WRAPPING_TOKEN);

/** Marks a response that must never leave core unwrapped (sys/wrapping/wrap). */
export const MUST_WRAP: unique symbol = Symbol('coffer.mustWrap');
export type MustWrapResponse = Response & { [MUST_WRAP]?: true };

export function markMustWrap(res: Response): MustWrapResponse {
  return Object.assign(res, { [MUST_WRAP]: true as const });
}
export function mustWrap(res: Response): boolean {
  return (res as MustWrapResponse)[MUST_WRAP] === true;
}
/** Whether a response already is a wrapping answer (rewrap's): core must not wrap it again. */
export function isWrapped(res: Response): boolean {
  return res.envelope?.wrap_info !== undefined && res.envelope.wrap_info !== null;
}

/** Nothing to hand over: Vault does not wrap an empty (204) response. */
function isEmpty(res: Response): boolean {
  const e = res.envelope;
  return (
    res.data === undefined &&
    (res.warnings === undefined || res.warnings.length === 0) &&
    (e === undefined || ((e.auth ?? null) === null && (e.lease_id ?? '') === ''))
  );
}

export function toStoredResponse(res: Response, requestId?: string): StoredResponse {
  const e: EnvelopeFields = res.envelope ?? {};
  return {
    ...(requestId === undefined ? {} : { request_id: requestId }),
    lease_id: e.lease_id ?? '',
    renewable: e.renewable ?? false,
    lease_duration: e.lease_duration ?? 0,
    data: res.data ?? null,
    wrap_info: null,
    warnings: res.warnings && res.warnings.length > 0 ? [...res.warnings] : null,
    auth: e.auth ?? null,
    ...(e.mount_type === undefined ? {} : { mount_type: e.mount_type }),
  };
}

/** The Response core sends for an unwrapped answer: the stored fields in the envelope. */
export function storedToResponse(stored: StoredResponse): Response {
  const out: Response = {};
  if (stored.data !== null && stored.data !== undefined) out.data = stored.data;
  if (stored.warnings && stored.warnings.length > 0) out.warnings = stored.warnings;
  const envelope: EnvelopeFields = {};
  if (stored.lease_id) {
    envelope.lease_id = stored.lease_id;
    envelope.renewable = stored.renewable;
    envelope.lease_duration = stored.lease_duration;
  }
  if (stored.auth !== null && stored.auth !== undefined) envelope.auth = stored.auth;
  if (stored.mount_type) envelope.mount_type = stored.mount_type;
  if (Object.keys(envelope).length > 0) out.envelope = envelope;
  return out;
}

function accessorOf(auth: unknown): string | undefined {
  if (auth === null || typeof auth !== 'object') return undefined;
  const accessor = (auth as Record<string, unknown>).accessor;
  return typeof accessor === 'string' && accessor !== '' ? accessor : undefined;
}

/** Puts `stored` in a new wrapping token's cubbyhole and answers with its wrap_info. */
async function wrapStored(
  deps: WrappingDeps,
  stored: StoredResponse,
  opts: {
    ttl: number;
    creationPath: string;
    wrappedAccessor?: string | undefined;
    warnings?: string[] | null;
  },
): Promise<{ res: Response; id: string; hash: string }> {
  if (!Number.isSafeInteger(opts.ttl) || opts.ttl <= 0) throw new BadRequestError('invalid wrap TTL');
  const token = await deps.createWrappingToken(opts.ttl, opts.creationPath);
  try {
    await writeCubbyhole(deps.cubbyhole, token.hash, WRAPPED_RESPONSE_PATH, {
      response: JSON.stringify(stored),
    });
  } catch (err) {
    // No token may outlive a failed wrap: it would unwrap to nothing.
    await deps.useAndRevoke(token.id).catch(() => false);
    await destroyCubbyhole(deps.cubbyhole, token.hash).catch(() => 0);
    throw err;
  }
  const wrapInfo: WrapInfo = {
    token: token.id,
    accessor: token.accessor,
    ttl: opts.ttl,
    creation_time: token.creationTime.toISOString(),
    creation_path: opts.creationPath,
    ...(opts.wrappedAccessor === undefined ? {} : { wrapped_accessor: opts.wrappedAccessor }),
  };
  // data stays null: the client gets the token and nothing of the response.
  const res: Response = {
    status: 200,
    envelope: { wrap_info: wrapInfo },
    ...(opts.warnings && opts.warnings.length > 0 ? { warnings: [...opts.warnings] } : {}),
  };
  return { res, id: token.id, hash: token.hash };
}

/**
 * Wraps the response a handler produced. An empty response (nothing to hand over) is returned as is;
 * a raw one (sys/health and the like) cannot be wrapped.
 */
export async function wrapResponse(deps: WrappingDeps, res: Response, opts: WrapOptions): Promise<Response> {
  if (opts.format !== undefined && opts.format !== 'json') {
    throw new BadRequestError('unsupported wrapping format');
  }
  if (res.raw !== undefined) throw new BadRequestError('this response cannot be wrapped');
  if (isWrapped(res)) return res;
  if (isEmpty(res) && !mustWrap(res)) return res;
  const stored = toStoredResponse(res, opts.requestId);
  const wrapped = await wrapStored(deps, stored, {
    ttl: opts.ttl,
    creationPath: opts.creationPath,
    wrappedAccessor: opts.wrappedAccessor ?? accessorOf(stored.auth),
    warnings: stored.warnings,
  });
  return wrapped.res;
}

/** A live wrapping token's entry, or 400 "wrapping token is not valid or does not exist". */
async function validToken(deps: WrappingDeps, token: string): Promise<WrappingTokenInfo> {
  if (token === '') throw new BadRequestError('missing "token" value in input');
  const entry = await deps.lookupWrappingToken(token);
  if (!entry?.policies.includes(RESPONSE_WRAPPING_POLICY)) throw invalidToken();
  return entry;
}

async function readStored(deps: WrappingDeps, hash: string): Promise<StoredResponse> {
  const entry = await readCubbyhole(deps.cubbyhole, hash, WRAPPED_RESPONSE_PATH);
  const raw = entry?.response;
  if (typeof raw !== 'string') throw invalidToken();
  return JSON.parse(raw) as StoredResponse;
}

/** sys/wrapping/lookup: what the token wraps, without using it. */
export async function lookupWrapping(
  deps: WrappingDeps,
  token: string,
): Promise<{ creation_path: string; creation_time: string; creation_ttl: number }> {
  const entry = await validToken(deps, token);
  return {
    creation_path: entry.creationPath,
    creation_time: entry.creationTime.toISOString(),
    creation_ttl: entry.ttl,
  };
}

/**
 * sys/wrapping/unwrap: exactly one caller gets the response. Everyone may read the stored entry
 * while the token lives, but only the caller whose `useAndRevoke` wins returns it; the token's
 * revocation (and our own delete) then removes it for good. Reading before consuming matters:
 * revocation destroys the cubbyhole.
 */
export async function unwrap(deps: WrappingDeps, token: string): Promise<StoredResponse> {
  const entry = await validToken(deps, token);
  const stored = await readStored(deps, entry.hash);
  if (!(await deps.useAndRevoke(token))) throw invalidToken();
  await destroyCubbyhole(deps.cubbyhole, entry.hash);
  return stored;
}

/**
 * sys/wrapping/rewrap: the same response under a new token with the old one's TTL and creation
 * path. The new token is filled before the old one is consumed, so a failure loses nothing; if the
 * old one was consumed by someone else meanwhile, the new one is revoked and the call fails.
 */
export async function rewrap(deps: WrappingDeps, token: string): Promise<Response> {
  const entry = await validToken(deps, token);
  const stored = await readStored(deps, entry.hash);
  const fresh = await wrapStored(deps, stored, {
    ttl: entry.ttl,
    creationPath: entry.creationPath,
    wrappedAccessor: accessorOf(stored.auth),
  });
  if (!(await deps.useAndRevoke(token))) {
    await deps.useAndRevoke(fresh.id);
    await destroyCubbyhole(deps.cubbyhole, fresh.hash);
    throw invalidToken();
  }
  await destroyCubbyhole(deps.cubbyhole, entry.hash);
  return fresh.res;
}
