/**
 * The throughput scenarios, as a table. Each `setup` prepares a fresh, unsealed server and returns
 * the request wrk repeats (see RequestSpec; `lua` for random paths or mixes). The baseline answers
 * with a body of `responseSize` bytes; when omitted it is measured from one probe request.
 */
import { randomInt } from 'node:crypto';
import type { Coffer } from './coffer.ts';
import { luaString, type RequestSpec } from './lua.ts';
import { pool } from './pool.ts';

export interface Scenario {
  readonly name: string;
  /** What it measures (README). */
  readonly description: string;
  setup(server: Coffer): Promise<RequestSpec>;
  readonly responseSize?: number;
}

export const POLICY = 'bench';
const KB = 'x'.repeat(1024);
/** A KV v2 write of a 1 KB value. */
export const KV_WRITE_BODY = JSON.stringify({ data: { value: KB } });
/**
 * kv-write spreads its writes over this many secrets: writes to one secret are serialized (its
 * versions and check-and-set depend on the one before), so with a handful of secrets at most a
 * handful of writes could ever share a commit.
 */
const WRITE_KEYS = 1000;
const MIXED_KEYS = 1000;

/** KV v2 at secret/, policy `bench` (read/create/update on secret/data/*), a token with it. */
export async function kvAndToken(s: Coffer): Promise<string> {
  await s.api('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } }, s.rootToken);
  const policy = 'path "secret/data/*" { capabilities = ["read", "create", "update"] }';
  await s.api('PUT', `sys/policies/acl/${POLICY}`, { policy }, s.rootToken);
  const created = await s.api('POST', 'auth/token/create', { policies: [POLICY] }, s.rootToken);
  return created.auth.client_token;
}

const tokenHeader = (token: string) => ({ 'X-Vault-Token': token });
const jsonPost = (token?: string) => ({
  'Content-Type': 'application/json',
  ...(token ? tokenHeader(token) : {}),
});

export const scenarios: readonly Scenario[] = [
  {
    name: 'kv-read',
    description: 'a non-root token with a policy reads one 1 KB KV v2 secret',
    async setup(s) {
      const token = await kvAndToken(s);
      await s.api('POST', 'secret/data/read-me', JSON.parse(KV_WRITE_BODY), token);
      return { method: 'GET', path: '/v1/secret/data/read-me', headers: tokenHeader(token) };
    },
  },
  {
    name: 'kv-write',
    description: `the same token writes a 1 KB version of one of ${WRITE_KEYS} secrets at random (durable: the WAL is fdatasync'ed before the answer)`,
    async setup(s) {
      const token = await kvAndToken(s);
      return {
        method: 'POST',
        path: '/v1/secret/data/write-0',
        headers: jsonPost(token),
        body: KV_WRITE_BODY,
        lua: [
          'request = function()',
          `  return wrk.format("POST", "/v1/secret/data/write-" .. math.random(0, ${WRITE_KEYS - 1}), copy_headers(), BODY)`,
          'end',
        ].join('\n'),
        next: () => ({ path: `/v1/secret/data/write-${randomInt(WRITE_KEYS)}` }),
      };
    },
  },
  {
    name: 'kv-read-mixed',
    description: `${MIXED_KEYS} secrets prepared beforehand; 90% reads, 10% 1 KB writes, random keys`,
    async setup(s) {
      const token = await kvAndToken(s);
      await pool(MIXED_KEYS, 32, async (i) => {
        await s.api('POST', `secret/data/mixed-${i}`, JSON.parse(KV_WRITE_BODY), token);
      });
      const write = luaString(KV_WRITE_BODY);
      return {
        method: 'GET',
        path: '/v1/secret/data/mixed-0',
        headers: tokenHeader(token),
        lua: [
          `local WRITE = ${write}`,
          'request = function()',
          `  local path = "/v1/secret/data/mixed-" .. math.random(0, ${MIXED_KEYS - 1})`,
          '  if math.random() < 0.1 then',
          '    return wrk.format("POST", path, copy_headers({ ["Content-Type"] = "application/json" }), WRITE)',
          '  end',
          '  return wrk.format("GET", path, copy_headers(), nil)',
          'end',
        ].join('\n'),
        next: () => {
          const path = `/v1/secret/data/mixed-${randomInt(MIXED_KEYS)}`;
          return Math.random() < 0.1
            ? { method: 'POST', path, body: KV_WRITE_BODY, headers: jsonPost(token) }
            : { method: 'GET', path };
        },
      };
    },
  },
  {
    name: 'token-lookup-self',
    description: 'GET auth/token/lookup-self with the non-root token',
    async setup(s) {
      const token = await kvAndToken(s);
      return { method: 'GET', path: '/v1/auth/token/lookup-self', headers: tokenHeader(token) };
    },
  },
  {
    name: 'health',
    description: 'GET sys/health, no token',
    async setup() {
      return { method: 'GET', path: '/v1/sys/health' };
    },
  },
  {
    name: 'token-create',
    description:
      'POST auth/token/create {policies:[bench]} with the root token (one stored token per request)',
    async setup(s) {
      await kvAndToken(s);
      return {
        method: 'POST',
        path: '/v1/auth/token/create',
        headers: jsonPost(s.rootToken),
        body: JSON.stringify({ policies: [POLICY] }),
      };
    },
  },
  {
    name: 'userpass-login',
    description: 'POST auth/userpass/login/bob (password hash check + token issue)',
    async setup(s) {
      await kvAndToken(s);
      await s.api('POST', 'sys/auth/userpass', { type: 'userpass' }, s.rootToken);
      const password = 'bench-password-0123456789';
      await s.api('POST', 'auth/userpass/users/bob', { password, token_policies: POLICY }, s.rootToken);
      return {
        method: 'POST',
        path: '/v1/auth/userpass/login/bob',
        headers: jsonPost(),
        body: JSON.stringify({ password }),
      };
    },
  },
  {
    name: 'approle-login',
    description: 'POST auth/approle/login with role_id + a secret_id of unlimited uses',
    async setup(s) {
      await kvAndToken(s);
      await s.api('POST', 'sys/auth/approle', { type: 'approle' }, s.rootToken);
      await s.api('POST', 'auth/approle/role/r', { token_policies: POLICY }, s.rootToken);
      const roleId = (await s.api('GET', 'auth/approle/role/r/role-id', undefined, s.rootToken)).data.role_id;
      const secretId = (await s.api('POST', 'auth/approle/role/r/secret-id', {}, s.rootToken)).data.secret_id;
      return {
        method: 'POST',
        path: '/v1/auth/approle/login',
        headers: jsonPost(),
        body: JSON.stringify({ role_id: roleId, secret_id: secretId }),
      };
    },
  },
];
