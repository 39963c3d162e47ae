/**
 * The lines the broker writes are byte for byte what the object builders gave before lines were
 * spliced from cached blocks: `JSON.stringify` of the reference below (the former `requestEntry`
 * / `responseEntry`, kept verbatim), over inputs covering every field and option.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request, RequestAuth } from '../../sdk/request.ts';
import { shareFrozen } from '../../sdk/shared-value.ts';
import {
  type AuditEntry,
  type AuditInput,
  blocksFit,
  type EntryFormat,
  entryBlocks,
  requestEntry,
  requestLine,
  responseEntry,
  responseLine,
} from './entry.ts';
import { copyValue, hashString, hashValue } from './hash.ts';

// --- Reference: the entry builders as they were, unchanged. ---

function refRequestEntry(input: AuditInput, fmt: EntryFormat, now: Date): AuditEntry {
  const entry: AuditEntry = {
    time: now.toISOString(),
    type: 'request',
    auth: refAuthBlock(input, fmt),
    request: refRequestBlock(input, fmt),
  };
  if (input.error) entry.error = input.error;
  return entry;
}

function refResponseEntry(input: AuditInput, fmt: EntryFormat, now: Date): AuditEntry {
  const entry: AuditEntry = {
    time: now.toISOString(),
    type: 'response',
    auth: refAuthBlock(input, fmt),
    request: refRequestBlock(input, fmt),
    response: refResponseBlock(input, fmt),
  };
  if (input.error) entry.error = input.error;
  return entry;
}

function refHasher(fmt: EntryFormat) {
  const secret = (s: string | undefined): string | undefined =>
    s === undefined || s === '' || fmt.logRaw ? s : hashString(fmt.salt, s);
  const accessor = (s: string | undefined): string | undefined => (fmt.hmacAccessor ? secret(s) : s);
  const data = (v: unknown, keep: readonly string[] | undefined): unknown =>
    fmt.logRaw ? copyValue(v) : hashValue(fmt.salt, v, new Set(keep ?? []));
  return { secret, accessor, data };
}

function refAuthBlock(input: AuditInput, fmt: EntryFormat): AuditEntry {
  const h = refHasher(fmt);
  const a = input.request.auth;
  return refCompact({
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

function refRequestBlock(input: AuditInput, fmt: EntryFormat): AuditEntry {
  const h = refHasher(fmt);
  const req = input.request;
  return refCompact({
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

function refResponseBlock(input: AuditInput, fmt: EntryFormat): AuditEntry {
  const res = input.response ?? {};
  const h = refHasher(fmt);
  const env = res.envelope ?? {};
  let data: unknown = res.data;
  if (fmt.elideListResponses && input.request.operation === 'list' && data) data = refElideList(res.data!);
  const authRaw = input.authResponse ?? (refIsObject(env.auth) ? env.auth : undefined);
  let auth: AuditEntry | undefined;
  if (authRaw) {
    auth = copyValue(authRaw) as AuditEntry;
    if (typeof auth.client_token === 'string') auth.client_token = h.secret(auth.client_token);
    if (typeof auth.accessor === 'string') auth.accessor = h.accessor(auth.accessor);
  }
  let wrapInfo: AuditEntry | undefined;
  if (refIsObject(env.wrap_info)) {
    wrapInfo = copyValue(env.wrap_info) as AuditEntry;
    if (typeof wrapInfo.token === 'string') wrapInfo.token = h.secret(wrapInfo.token);
    if (typeof wrapInfo.accessor === 'string') wrapInfo.accessor = h.accessor(wrapInfo.accessor);
    if (typeof wrapInfo.wrapped_accessor === 'string')
      wrapInfo.wrapped_accessor = h.accessor(wrapInfo.wrapped_accessor);
  }
  return refCompact({
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

function refElideList(data: Record<string, unknown>): Record<string, unknown> {
  const out = { ...data };
  if (Array.isArray(out.keys)) out.keys = out.keys.length;
  if (refIsObject(out.key_info)) out.key_info = Object.keys(out.key_info).length;
  return out;
}

function refIsObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function refCompact(o: Record<string, unknown>): AuditEntry {
  const out: AuditEntry = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === '' || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (refIsObject(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

// --- Inputs ---

const salt = Buffer.alloc(32, 7);
const base: EntryFormat = { salt, logRaw: false, hmacAccessor: true, elideListResponses: false };
const formats: Record<string, EntryFormat> = {
  default: base,
  log_raw: { ...base, logRaw: true },
  'hmac_accessor=false': { ...base, hmacAccessor: false },
  elide_list_responses: { ...base, elideListResponses: true },
  'everything on': { ...base, logRaw: true, hmacAccessor: false, elideListResponses: true },
};
const now = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));

function request(extra: Partial<Request> = {}): Request {
  return {
    id: 'req-1',
    operation: 'update',
    path: 'secret/data/app',
    data: { data: { password: 'hunter2', port: 5432, list: ['a', 1, null, true], nested: { x: 'y' } } },
    headers: {},
    clientToken: 'hvs.root',
    remoteAddr: '10.0.0.1',
    mountPoint: 'secret/',
    auth: {
      tokenHash: 'th',
      accessor: 'acc-1',
      policies: ['default', 'dev'],
      tokenPolicies: ['default', 'dev'],
      identityPolicies: ['group-pol'],
      entityId: 'ent-1',
      displayName: 'userpass-alice',
      metadata: { username: 'alice' },
      tokenType: 'service',
      path: 'auth/userpass/login/alice',
    },
    ...extra,
  };
}

const mount = { type: 'kv', accessor: 'kv_123', path: 'secret/' };

/** A RequestAuth frozen all the way down, as access/resolver.ts shares one per token. */
const frozenAuth: RequestAuth = Object.freeze({
  tokenHash: 'th2',
  accessor: 'acc-shared',
  policies: Object.freeze(['bench', 'default']),
  tokenPolicies: Object.freeze(['bench', 'default']),
  identityPolicies: Object.freeze([]),
  entityId: '',
  displayName: 'token',
  metadata: Object.freeze({ 'key "q"': 'v\n' }),
  tokenType: 'service',
  path: 'auth/token/create',
});
/** A cached secret as the KV engine answers it: shared, frozen values. */
const sharedData = shareFrozen({
  value: 'x'.repeat(50),
  n: 5,
  deep: { list: ['a', null, 2, { b: 'c' }], e: {} },
});
const sharedMeta = shareFrozen({
  created_time: '2024-01-02T03:04:05Z',
  custom_metadata: null,
  destroyed: false,
});

const inputs: Record<string, AuditInput> = {
  'authenticated, mount, wrap ttl': { request: request(), mount, wrapTTL: 60 },
  'no token, no auth, no mount': {
    request: request({ clientToken: '', auth: undefined as never, data: {} }),
  },
  'no mount point at all': { request: request({ mountPoint: undefined as never }) },
  'permission denied': { request: request(), mount, error: 'permission denied' },
  'token ttl and issue time': { request: request(), tokenTTL: 3600, tokenIssueTime: now },
  'empty policies, metadata and entity': {
    request: request({
      auth: {
        tokenHash: 'h',
        accessor: 'acc',
        policies: [],
        tokenPolicies: ['root'],
        identityPolicies: [],
        entityId: '',
        displayName: 'root',
        metadata: {},
        tokenType: 'batch',
        path: 'auth/token/root',
      },
    }),
  },
  'non-HMAC keys': {
    request: request({ data: { username: 'alice', password: 'pw', deep: { username: 'bob' } } }),
    mount: { ...mount, nonHmacRequestKeys: ['username'], nonHmacResponseKeys: ['username'] },
    response: { data: { username: 'alice', token: 't' } },
  },
  'strings that need escaping, bigint, Date': {
    request: request({
      data: { q: 'quote " backslash \\ newline \n tab \t \u2028 \ud800 é 🔑', n: 10n, d: now },
    }),
    error: 'bad "request"\n',
    response: { data: { v: '</script>\u0000' } },
  },
  'full response': {
    request: request({ operation: 'read', data: {} }),
    mount,
    response: {
      data: { password: 'db-pw', ttl: 30 },
      warnings: ['w1', 'w "2"'],
      envelope: {
        lease_id: 'database/creds/ro/abc',
        wrap_info: {
          token: 'hvs.wrap',
          accessor: 'wacc',
          ttl: 60,
          creation_path: 'x',
          wrapped_accessor: 'in',
        },
      },
    },
    authResponse: {
      client_token: 'hvs.new',
      accessor: 'new-acc',
      policies: ['default'],
      metadata: { u: 'a' },
    },
  },
  'login auth from the envelope, empty warnings, null data': {
    request: request({ clientToken: '', auth: undefined as never, path: 'auth/userpass/login/alice' }),
    response: {
      data: null as never,
      warnings: [],
      envelope: { auth: { client_token: 'hvs.x', accessor: 'a', renewable: true, lease_duration: 0 } },
    },
  },
  'list response': {
    request: request({ operation: 'list', data: {} }),
    mount,
    response: { data: { keys: ['a', 'b', 'c'], key_info: { a: {}, b: { n: 'x' } } } },
  },
  'internal error without response': { request: request(), mount, error: 'internal error' },
  'shared auth, shared response data': {
    request: request({ operation: 'read', data: undefined as never, auth: frozenAuth }),
    mount,
    response: { data: { data: sharedData, metadata: sharedMeta, plain: ['p', 1n] } },
  },
  'shared auth, another token': {
    request: request({ clientToken: 'hvs.other', auth: frozenAuth, data: { data: sharedData } }),
    mount,
    response: { data: sharedData as never },
  },
  'shared auth with a token ttl': {
    request: request({ auth: frozenAuth }),
    tokenTTL: 60,
    response: { data: [] as never },
  },
  'empty response objects': {
    request: request(),
    response: { data: {}, envelope: { wrap_info: {}, auth: {} } },
  },
};

describe('audit lines match the reference entries byte for byte', () => {
  for (const [fname, fmt] of Object.entries(formats)) {
    for (const [iname, input] of Object.entries(inputs)) {
      it(`${iname} (${fname})`, () => {
        const time = now.toISOString();
        const wantRequest = JSON.stringify(refRequestEntry(input, fmt, now));
        const wantResponse = JSON.stringify(refResponseEntry(input, fmt, now));
        const blocks = entryBlocks(input, fmt);
        assert.equal(requestLine(input, blocks, time), wantRequest);
        // The response line from the request line's blocks, as the broker builds it.
        assert.equal(responseLine({ ...input }, fmt, blocks, time), wantResponse);
        assert.equal(responseLine(input, fmt, entryBlocks(input, fmt), time), wantResponse);
        // The object forms still give the same JSON, and the same objects.
        assert.equal(JSON.stringify(requestEntry(input, fmt, now)), wantRequest);
        assert.equal(JSON.stringify(responseEntry(input, fmt, now)), wantResponse);
        assert.deepEqual(responseEntry(input, fmt, now), refResponseEntry(input, fmt, now));
      });
    }
  }
});

describe('audit entry blocks', () => {
  it('fit the response input core builds from the same base, not a changed one', () => {
    const req = request();
    const baseInput: AuditInput = { request: req, mount, wrapTTL: 30 };
    const blocks = entryBlocks(baseInput, base);
    assert.equal(blocksFit(blocks, { ...baseInput, response: { data: { a: 'b' } } }), true);
    assert.equal(blocksFit(blocks, { ...baseInput, error: 'x' }), true);
    assert.equal(blocksFit(blocks, { ...baseInput, request: request() }), false, 'another request');
    assert.equal(blocksFit(blocks, { ...baseInput, mount: { ...mount } }), false);
    assert.equal(blocksFit(blocks, { ...baseInput, wrapTTL: 31 }), false);
    assert.equal(blocksFit(blocks, { ...baseInput, tokenTTL: 5 }), false);
    assert.equal(blocksFit(blocks, { ...baseInput, tokenIssueTime: now }), false);
    req.operation = 'create';
    assert.equal(blocksFit(blocks, baseInput), false, 'operation changed');
    req.operation = 'update';
    req.data = { other: 1 };
    assert.equal(blocksFit(blocks, baseInput), false, 'data replaced');
    const fresh = entryBlocks(baseInput, base);
    delete req.auth;
    assert.equal(blocksFit(fresh, baseInput), false, 'auth replaced');
  });

  it('hash the request data once for both entries', () => {
    let walks = 0;
    const data = {
      toJSON() {
        walks++;
        return { secret: 's' };
      },
    };
    const input: AuditInput = { request: request({ data }) };
    const blocks = entryBlocks(input, base);
    requestLine(input, blocks, now.toISOString());
    const line = responseLine({ ...input, response: { data: { a: 'b' } } }, base, blocks, now.toISOString());
    assert.equal(walks, 1);
    assert.equal(JSON.parse(line).request.data.secret, hashString(salt, 's'));
  });
});
