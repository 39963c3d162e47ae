import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from '../../sdk/request.ts';
import { type AuditInput, type EntryFormat, requestEntry, responseEntry } from './entry.ts';
import { hashString } from './hash.ts';

const salt = Buffer.alloc(32, 1);
const h = (s: string) => hashString(salt, s);
const fmt: EntryFormat = { salt, logRaw: false, hmacAccessor: true, elideListResponses: false };
const now = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));

function request(extra: Partial<Request> = {}): Request {
  return {
    id: 'req-1',
    operation: 'update',
    path: 'secret/data/app',
    data: { data: { password: 'hunter2', port: 5432 } },
    headers: { 'user-agent': 'x' },
    clientToken: 'hvs.root',
    remoteAddr: '10.0.0.1',
    mountPoint: 'secret/',
    mountPath: 'data/app',
    auth: {
      tokenHash: 'th',
      accessor: 'acc-1',
      policies: ['default', 'dev'],
      tokenPolicies: ['default', 'dev'],
      identityPolicies: [],
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

describe('audit entries', () => {
  it('request entry: Vault’s shape, tokens and data hashed, accessor hashed', () => {
    const e = requestEntry({ request: request(), mount, wrapTTL: 60 }, fmt, now);
    assert.deepEqual(e, {
      time: '2024-01-02T03:04:05.678Z',
      type: 'request',
      auth: {
        client_token: h('hvs.root'),
        accessor: h('acc-1'),
        display_name: 'userpass-alice',
        policies: ['default', 'dev'],
        token_policies: ['default', 'dev'],
        metadata: { username: 'alice' },
        entity_id: 'ent-1',
        token_type: 'service',
      },
      request: {
        id: 'req-1',
        operation: 'update',
        mount_type: 'kv',
        mount_accessor: 'kv_123',
        mount_point: 'secret/',
        client_token: h('hvs.root'),
        client_token_accessor: h('acc-1'),
        namespace: { id: 'root' },
        path: 'secret/data/app',
        data: { data: { password: h('hunter2'), port: 5432 } },
        remote_address: '10.0.0.1',
        wrap_ttl: 60,
      },
    });
  });

  it('a client token core resolved (clientTokenHash) is logged as the same HMAC, remembered per token', () => {
    for (const [token, tokenHash] of [
      ['hvs.first', 'hash-first'],
      ['hvs.second', 'hash-second'],
      ['hvs.first', 'hash-first'],
    ] as const) {
      for (const raw of [false, true]) {
        const f = raw ? { ...fmt, logRaw: true } : fmt;
        const input = { request: request({ clientToken: token, clientTokenHash: tokenHash }), mount };
        const e = requestEntry(input, f, now) as {
          auth: { client_token: string };
          request: { client_token: string };
        };
        const want = raw ? token : h(token);
        assert.equal(e.auth.client_token, want);
        assert.equal(e.request.client_token, want);
        assert.equal(
          (responseEntry({ ...input, response: {} }, f, now) as { request: { client_token: string } }).request
            .client_token,
          want,
        );
      }
    }
  });

  it('request entry with an error, without a token, and token ttl / issue time when given', () => {
    const e = requestEntry(
      { request: request({ clientToken: '', auth: undefined as never }), error: 'permission denied' },
      fmt,
      now,
    );
    assert.deepEqual(e.auth, {});
    assert.equal(e.error, 'permission denied');
    const r = e.request as Record<string, unknown>;
    assert.equal(r.client_token, undefined);
    assert.equal(r.mount_point, 'secret/');
    const t = requestEntry({ request: request(), tokenTTL: 3600, tokenIssueTime: now }, fmt, now);
    assert.equal((t.auth as Record<string, unknown>).token_ttl, 3600);
    assert.equal((t.auth as Record<string, unknown>).token_issue_time, now.toISOString());
  });

  it('hmac_accessor=false logs accessors in the clear; log_raw logs everything in the clear', () => {
    const noAcc = requestEntry({ request: request() }, { ...fmt, hmacAccessor: false }, now);
    assert.equal((noAcc.auth as Record<string, unknown>).accessor, 'acc-1');
    assert.equal((noAcc.request as Record<string, unknown>).client_token_accessor, 'acc-1');
    assert.equal((noAcc.auth as Record<string, unknown>).client_token, h('hvs.root'));

    const raw = requestEntry({ request: request() }, { ...fmt, logRaw: true }, now);
    assert.equal((raw.auth as Record<string, unknown>).client_token, 'hvs.root');
    assert.deepEqual((raw.request as Record<string, unknown>).data, {
      data: { password: 'hunter2', port: 5432 },
    });
  });

  it('non-HMAC request and response keys of the mount stay in the clear', () => {
    const input: AuditInput = {
      request: request({ data: { username: 'alice', password: 'pw' } }),
      response: { data: { username: 'alice', token: 't' } },
      mount: { ...mount, nonHmacRequestKeys: ['username'], nonHmacResponseKeys: ['username'] },
    };
    const e = responseEntry(input, fmt, now);
    assert.deepEqual((e.request as Record<string, unknown>).data, { username: 'alice', password: h('pw') });
    assert.deepEqual((e.response as Record<string, unknown>).data, { username: 'alice', token: h('t') });
  });

  it('response entry: data, auth, wrap_info, warnings, secret, error', () => {
    const input: AuditInput = {
      request: request({ operation: 'read', data: {} }),
      mount,
      response: {
        data: { password: 'db-pw', ttl: 30 },
        warnings: ['w1'],
        envelope: {
          lease_id: 'database/creds/ro/abc',
          wrap_info: {
            token: 'hvs.wrap',
            accessor: 'wacc',
            ttl: 60,
            creation_path: 'x',
            wrapped_accessor: 'inner',
          },
        },
      },
      authResponse: {
        client_token: 'hvs.new',
        accessor: 'new-acc',
        policies: ['default'],
        metadata: { u: 'a' },
      },
    };
    const e = responseEntry(input, fmt, now);
    assert.equal(e.type, 'response');
    assert.equal((e.request as Record<string, unknown>).data, undefined, 'empty request data is left out');
    assert.deepEqual(e.response, {
      mount_type: 'kv',
      mount_accessor: 'kv_123',
      mount_point: 'secret/',
      data: { password: h('db-pw'), ttl: 30 },
      auth: {
        client_token: h('hvs.new'),
        accessor: h('new-acc'),
        policies: ['default'],
        metadata: { u: 'a' },
      },
      wrap_info: {
        token: h('hvs.wrap'),
        accessor: h('wacc'),
        ttl: 60,
        creation_path: 'x',
        wrapped_accessor: h('inner'),
      },
      warnings: ['w1'],
      secret: { lease_id: 'database/creds/ro/abc' },
    });
    const failed = responseEntry({ request: request(), error: 'internal error' }, fmt, now);
    assert.equal(failed.error, 'internal error');
    assert.deepEqual(failed.response, { mount_point: 'secret/' });
  });

  it('elide_list_responses replaces keys and key_info by their counts on list responses only', () => {
    const response = { data: { keys: ['a', 'b', 'c'], key_info: { a: {}, b: {} } } };
    const e = responseEntry(
      { request: request({ operation: 'list', data: {} }), response },
      { ...fmt, elideListResponses: true },
      now,
    );
    assert.deepEqual((e.response as Record<string, unknown>).data, { keys: 3, key_info: 2 });
    assert.deepEqual(response.data.keys, ['a', 'b', 'c'], 'caller data untouched');
    const read = responseEntry(
      { request: request({ operation: 'read' }), response },
      { ...fmt, elideListResponses: true },
      now,
    );
    assert.deepEqual(((read.response as Record<string, unknown>).data as Record<string, unknown>).keys, [
      h('a'),
      h('b'),
      h('c'),
    ]);
  });

  it('never mutates the caller’s request or response', () => {
    const req = request();
    const res = { data: { a: 'x' }, envelope: { wrap_info: { token: 't' } } };
    const auth = { client_token: 'c', accessor: 'a' };
    const before = structuredClone({ data: req.data, res, auth });
    responseEntry({ request: req, response: res, authResponse: auth }, fmt, now);
    responseEntry({ request: req, response: res, authResponse: auth }, { ...fmt, logRaw: true }, now);
    assert.deepEqual({ data: req.data, res, auth }, before);
  });
});
