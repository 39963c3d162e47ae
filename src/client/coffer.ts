/** The typed HTTP client: one instance per server address and token. */
import { readFileSync } from 'node:fs';
import { AuditApi } from './audit.ts';
import { AuthApi } from './auth.ts';
import { CofferApiError, CofferConnectionError } from './errors.ts';
import * as kv from './kv.ts';
import { LeasesApi } from './leases.ts';
import { LoginApi } from './login.ts';
import { PasswordPoliciesApi } from './password-policies.ts';
import { apiPath, encodePath } from './paths.ts';
import { PoliciesApi } from './policies.ts';
import { SysApi } from './sys.ts';
import { createTlsFetch } from './tls-fetch.ts';
import { TokenApi } from './token.ts';
import type {
  KvLocation,
  KvMetadata,
  KvMetadataInput,
  KvSecretData,
  KvVersionMetadata,
  Secret,
} from './types.ts';
import { WrappingApi } from './wrapping.ts';

export interface CofferOptions {
  /** Server address, e.g. "https://127.0.0.1:8200". */
  address: string;
  token?: string | undefined;
  namespace?: string | undefined;
  /** Path of a PEM file with the CA certificate(s) to trust. */
  tlsCaFile?: string | undefined;
  /** PEM text of the CA certificate(s) to trust (instead of tlsCaFile). */
  tlsCaCert?: string | undefined;
  tlsSkipVerify?: boolean | undefined;
  /** A fetch implementation; defaults to the global fetch. */
  fetch?: typeof fetch | undefined;
  /** Extra headers on every request. */
  headers?: Record<string, string> | undefined;
  /** Wrap every response in a single-use token with this TTL ("5m"), as Vault's `-wrap-ttl`. */
  wrapTTL?: string | undefined;
  /** Per-request timeout; default 60 s. 0 disables it. */
  timeoutMs?: number | undefined;
}

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, QueryValue> | undefined;
  headers?: Record<string, string> | undefined;
  /**
   * Ask the server to wrap the response in a single-use token with this TTL ("5m"), sent as
   * `X-Vault-Wrap-TTL`. Overrides the client's wrapTTL; "" means "do not wrap this one".
   */
  wrapTTL?: string | undefined;
  /** Statuses ≥ 400 that are returned instead of thrown. */
  accept?: readonly number[] | undefined;
}

export interface ApiResponse<T = unknown> {
  status: number;
  /** Parsed JSON; the raw text when the body is not JSON; null when empty. */
  body: T;
}

export class Coffer {
  readonly address: string;
  token: string | undefined;
  namespace: string | undefined;
  /** The default wrap TTL of every request; undefined or "" wraps nothing. */
  wrapTTL: string | undefined;
  readonly sys: SysApi;
  /** `auth/token/` and `sys/capabilities*` (named `tokens`: `token` is the client's token). */
  readonly tokens: TokenApi;
  /** ACL policies, `sys/policies/acl`. */
  readonly policies: PoliciesApi;
  /** Auth methods, `sys/auth`. */
  readonly auth: AuthApi;
  /** Audit devices, `sys/audit` and `sys/audit-hash`. */
  readonly audit: AuditApi;
  /** `auth/<mount>/login` of the userpass and approle methods. */
  readonly login: LoginApi;
  /** Response wrapping, `sys/wrapping/*`. */
  readonly wrapping: WrappingApi;
  /** Leases, `sys/leases/*`. */
  readonly leases: LeasesApi;
  /** Password policies, `sys/policies/password`. */
  readonly passwordPolicies: PasswordPoliciesApi;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: CofferOptions) {
    this.address = normalizeAddress(options.address);
    this.token = options.token === '' ? undefined : options.token;
    this.namespace = options.namespace === '' ? undefined : options.namespace;
    this.#headers = { ...options.headers };
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    const base = options.fetch ?? globalThis.fetch;
    const ca = options.tlsCaCert ?? (options.tlsCaFile ? readFileSync(options.tlsCaFile, 'utf8') : undefined);
    this.#fetch =
      ca !== undefined || options.tlsSkipVerify
        ? createTlsFetch({ ca, skipVerify: options.tlsSkipVerify }, base)
        : base;
    this.wrapTTL = options.wrapTTL === '' ? undefined : options.wrapTTL;
    this.sys = new SysApi(this);
    this.tokens = new TokenApi(this);
    this.policies = new PoliciesApi(this);
    this.auth = new AuthApi(this);
    this.audit = new AuditApi(this);
    this.login = new LoginApi(this);
    this.wrapping = new WrappingApi(this);
    this.leases = new LeasesApi(this);
    this.passwordPolicies = new PasswordPoliciesApi(this);
  }

  /** One API call. `path` is relative to /v1 ("secret/data/x"). Throws CofferApiError on ≥ 400. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const url = this.#url(path, options.query);
    const shownUrl = redactUrl(url);
    const headers: Record<string, string> = { 'X-Vault-Request': 'true', ...this.#headers };
    if (this.token !== undefined) headers['X-Vault-Token'] = this.token;
    if (this.namespace !== undefined) headers['X-Vault-Namespace'] = this.namespace;
    const wrapTTL = options.wrapTTL ?? this.wrapTTL;
    if (wrapTTL !== undefined && wrapTTL !== '') headers['X-Vault-Wrap-TTL'] = wrapTTL;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
    Object.assign(headers, options.headers);

    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        ...(this.#timeoutMs > 0 ? { signal: AbortSignal.timeout(this.#timeoutMs) } : {}),
      });
      text = await response.text();
    } catch (cause) {
      throw new CofferConnectionError({ method, url: shownUrl, cause });
    }
    const parsed = parseBody(text);
    if (response.status >= 400 && !options.accept?.includes(response.status)) {
      throw new CofferApiError({ status: response.status, errors: errorsOf(parsed), method, url: shownUrl });
    }
    return { status: response.status, body: parsed as T };
  }

  /** Reads a path; null when nothing is there (404 without data). */
  async read<T = Record<string, unknown>>(
    path: string,
    options: Pick<RequestOptions, 'query' | 'wrapTTL'> = {},
  ): Promise<Secret<T> | null> {
    const res = await this.request<Secret<T> | null>('GET', path, { ...options, accept: [404] });
    return secretOrNull(res);
  }

  /** Writes data to a path; null when the server answers 204. */
  async write<T = Record<string, unknown>>(
    path: string,
    data: Record<string, unknown> = {},
    options: Pick<RequestOptions, 'query' | 'wrapTTL' | 'headers'> = {},
  ): Promise<Secret<T> | null> {
    const res = await this.request<Secret<T> | null>('POST', path, { ...options, body: data });
    return secretOrNull(res);
  }

  /** Lists the keys under a path (`GET ?list=true`); null when nothing is there. */
  async list(
    path: string,
    options: Pick<RequestOptions, 'wrapTTL'> = {},
  ): Promise<Secret<{ keys: string[] }> | null> {
    const res = await this.request<Secret<{ keys: string[] }> | null>('GET', path, {
      ...options,
      query: { list: 'true' },
      accept: [404],
    });
    return secretOrNull(res);
  }

  async delete(path: string, options: Pick<RequestOptions, 'query'> = {}): Promise<Secret | null> {
    const res = await this.request<Secret | null>('DELETE', path, { ...options, accept: [404] });
    return secretOrNull(res);
  }

  /**
   * Finds the KV mount a full path lives in and its version, the way Vault's CLI does
   * (`sys/internal/ui/mounts/<path>`); a server without that endpoint (404) means KV v1.
   */
  async kvMount(fullPath: string): Promise<KvLocation> {
    const clean = apiPath(fullPath);
    const info = await this.sys.internalUiMount(clean);
    if (info === null) return { mount: '', version: 1, path: clean };
    const mount = info.path.endsWith('/') || info.path === '' ? info.path : `${info.path}/`;
    let path = clean;
    if (`${clean}/` === mount) path = '';
    else if (mount !== '' && clean.startsWith(mount)) path = clean.slice(mount.length);
    return { mount, version: info.options?.version === '2' ? 2 : 1, path };
  }

  // KV version 2 — `mount` is the mount path ("secret"), `path` the key inside it.

  kvGet<T = Record<string, unknown>>(
    mount: string,
    path: string,
    options: { version?: number | undefined } = {},
  ): Promise<Secret<KvSecretData<T>> | null> {
    return kv.kvGet<T>(this, mount, path, options);
  }
  kvPut(
    mount: string,
    path: string,
    data: Record<string, unknown>,
    options: { cas?: number | undefined } = {},
  ): Promise<Secret<KvVersionMetadata> | null> {
    return kv.kvPut(this, mount, path, data, options);
  }
  kvPatch(
    mount: string,
    path: string,
    data: Record<string, unknown>,
    options: { cas?: number | undefined } = {},
  ): Promise<Secret<KvVersionMetadata> | null> {
    return kv.kvPatch(this, mount, path, data, options);
  }
  kvList(mount: string, path = ''): Promise<string[]> {
    return kv.kvList(this, mount, path);
  }
  kvDelete(
    mount: string,
    path: string,
    options: { versions?: readonly number[] | undefined } = {},
  ): Promise<void> {
    return kv.kvDelete(this, mount, path, options);
  }
  kvUndelete(mount: string, path: string, versions: readonly number[]): Promise<void> {
    return kv.kvUndelete(this, mount, path, versions);
  }
  kvDestroy(mount: string, path: string, versions: readonly number[]): Promise<void> {
    return kv.kvDestroy(this, mount, path, versions);
  }
  kvMetadataGet(mount: string, path: string): Promise<Secret<KvMetadata> | null> {
    return kv.kvMetadataGet(this, mount, path);
  }
  kvMetadataPut(mount: string, path: string, input: KvMetadataInput): Promise<void> {
    return kv.kvMetadataPut(this, mount, path, input);
  }
  kvMetadataDelete(mount: string, path: string): Promise<void> {
    return kv.kvMetadataDelete(this, mount, path);
  }

  #url(path: string, query: Record<string, QueryValue> | undefined): string {
    let url = `${this.address}/v1/${encodePath(apiPath(path))}`;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) params.append(key, v);
      else params.append(key, String(value));
    }
    const qs = params.toString();
    if (qs !== '') url += `?${qs}`;
    return url;
  }
}

function normalizeAddress(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new TypeError(`invalid server address "${address}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`unsupported address scheme "${url.protocol}" (want http or https)`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The URL as it may appear in an error: no credentials, no query string. */
function redactUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  u.search = '';
  return u.toString();
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorsOf(body: unknown): string[] {
  if (body !== null && typeof body === 'object' && 'errors' in body && Array.isArray(body.errors)) {
    return body.errors.map((e) => String(e));
  }
  return [];
}

function secretOrNull<T>(res: ApiResponse<Secret<T> | null>): Secret<T> | null {
  const body = res.body;
  if (body === null || typeof body !== 'object') return null;
  if (res.status === 404 && (body.data === undefined || body.data === null)) return null;
  return body;
}
