/**
 * Plain-fetch helpers for the access-control acceptance tests: every request is visible on the wire
 * as Vault's HTTP API spells it (paths under /v1/, X-Vault-Token, JSON bodies).
 */
import assert from 'node:assert/strict';
import { redact } from '../helpers/redact.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, asserted field by field
export type Json = any;

export interface ApiResult {
  status: number;
  /** The parsed body, or undefined for an empty body (204) or a body that is not JSON. */
  json: Json;
  /** The raw body, byte for byte as the server sent it. */
  text: string;
  headers: Headers;
}

export interface ApiOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** `api(method, path, opts)`: method is an HTTP verb or LIST (sent as `GET ?list=true`). */
export type Api = (method: string, path: string, opts?: ApiOptions) => Promise<ApiResult>;

export function makeApi(baseUrl: string): Api {
  return async (method, path, opts = {}) => {
    let url = `${baseUrl}/v1/${path.replace(/^\/+/, '')}`;
    if (method === 'LIST') {
      url += `${url.includes('?') ? '&' : '?'}list=true`;
      method = 'GET';
    }
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== undefined) headers['X-Vault-Token'] = opts.token;
    if (opts.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
    const r = await fetch(url, {
      method,
      headers,
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    });
    const text = await r.text();
    let json: Json;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, json, text, headers: r.headers };
  };
}

/** Asserts the status, with the method, path and body in the message. */
export function expectStatus(r: ApiResult, status: number, what: string): void {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status} ${redact(r.text)}`);
}

/** PUT sys/policies/acl/NAME {"policy": hcl} → 204 (Vault's answer). */
export async function writePolicy(api: Api, rootToken: string, name: string, hcl: string): Promise<void> {
  const r = await api('PUT', `sys/policies/acl/${name}`, { token: rootToken, body: { policy: hcl } });
  assert.ok(r.status === 204 || r.status === 200, `write policy ${name}: ${r.status} ${redact(r.text)}`);
}

/** POST auth/token/create as `parentToken`; returns the new token's id (auth.client_token). */
export async function createToken(
  api: Api,
  parentToken: string,
  body: Record<string, unknown> = {},
): Promise<string> {
  const r = await api('POST', 'auth/token/create', { token: parentToken, body });
  expectStatus(r, 200, `auth/token/create ${JSON.stringify(body)}`);
  const token = r.json?.auth?.client_token;
  assert.equal(typeof token, 'string', `auth/token/create returned no auth.client_token: ${redact(r.text)}`);
  return token as string;
}

/** Writes a KV v2 secret as `token` (POST MOUNT/data/PATH {"data": data}). */
export async function writeKv2(
  api: Api,
  token: string,
  mountAndPath: { mount?: string; path: string },
  data: Record<string, unknown>,
): Promise<ApiResult> {
  const mount = mountAndPath.mount ?? 'secret';
  return api('POST', `${mount}/data/${mountAndPath.path}`, { token, body: { data } });
}

/** PUT sys/init (1 share) and PUT sys/unseal: returns the root token and the unseal key. */
export async function initAndUnseal(api: Api): Promise<{ rootToken: string; key: string }> {
  const init = await api('PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  expectStatus(init, 200, 'sys/init');
  const key = (init.json.keys_base64 ?? init.json.keys)[0] as string;
  const rootToken = init.json.root_token as string;
  await unseal(api, key);
  return { rootToken, key };
}

export async function unseal(api: Api, key: string): Promise<void> {
  const r = await api('PUT', 'sys/unseal', { body: { key } });
  expectStatus(r, 200, 'sys/unseal');
  assert.equal(r.json.sealed, false, `still sealed after sys/unseal: ${redact(r.text)}`);
}

/** Mounts KV v2 at `path` (POST sys/mounts/PATH). */
export async function mountKv(api: Api, rootToken: string, path: string, version: '1' | '2'): Promise<void> {
  const r = await api('POST', `sys/mounts/${path}`, {
    token: rootToken,
    body: { type: 'kv', options: { version } },
  });
  assert.ok(r.status === 204 || r.status === 200, `mount ${path}: ${r.status} ${redact(r.text)}`);
}

/** Counts statuses: {200: 1, 403: 19}. */
export function statusCounts(results: ApiResult[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sorted copy, for comparing capability lists regardless of order. */
export const sorted = (xs: unknown): string[] => {
  assert.ok(Array.isArray(xs), `expected an array, got ${JSON.stringify(xs)}`);
  return [...(xs as string[])].sort();
};
