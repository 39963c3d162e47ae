import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shareFrozen } from '../sdk/shared-value.ts';
import { buildEnvelope, envelopeBody, hasEnvelope } from './envelope.ts';

describe('envelope', () => {
  it('wraps data in the Vault envelope with empty lease, auth and wrap_info', () => {
    assert.deepEqual(
      JSON.stringify(buildEnvelope('id-1', { data: { a: 1 } })),
      JSON.stringify({
        request_id: 'id-1',
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: { a: 1 },
        wrap_info: null,
        warnings: null,
        auth: null,
        mount_type: '',
      }),
    );
  });

  it('carries warnings, and the optional envelope fields later features set', () => {
    const res = {
      warnings: ['careful'],
      envelope: { lease_id: 'db/creds/x/1', renewable: true, lease_duration: 60, mount_type: 'database' },
    };
    const env = buildEnvelope('id-2', res);
    assert.equal(env.data, null);
    assert.deepEqual(env.warnings, ['careful']);
    assert.equal(env.lease_id, 'db/creds/x/1');
    assert.equal(env.renewable, true);
    assert.equal(env.lease_duration, 60);
    assert.equal(env.mount_type, 'database');
    assert.equal(hasEnvelope(res), true);
  });

  it('no data, no warnings: no envelope (204)', () => {
    assert.equal(hasEnvelope({}), false);
    assert.equal(hasEnvelope({ warnings: [] }), false);
  });

  it('envelopeBody is JSON.stringify(buildEnvelope(...)), shared values included', () => {
    const secret = shareFrozen(JSON.parse('{"data":{"value":"s3cr\\"et\\u2028","n":[1,{"x":null}]}}'));
    const cases: Parameters<typeof buildEnvelope>[1][] = [
      {},
      { data: {} },
      { data: { a: 1, skip: undefined, f: () => 1, nested: { deep: ['x', true] } } },
      {
        data: { data: secret.data, metadata: { version: 3, created_time: '2026-01-01T00:00:00.000000000Z' } },
      },
      { data: secret },
      { data: [1, 'two'] as unknown as Record<string, unknown> },
      { data: { when: new Date(0), '"odd key"': 'v' } },
      { warnings: ['careful'], envelope: { lease_id: 'db/creds/x/1', renewable: true, lease_duration: 60 } },
      {
        data: { a: 1 },
        warnings: [],
        envelope: { auth: { client_token: 't', policies: ['p'] }, mount_type: 'kv' },
      },
      { data: { a: 1 }, envelope: { wrap_info: { token: 'w', ttl: 60 } } },
    ];
    for (const res of cases) {
      assert.equal(envelopeBody('id-3', res).text, JSON.stringify(buildEnvelope('id-3', res)));
      assert.equal(
        envelopeBody('id-4', res).text,
        JSON.stringify(buildEnvelope('id-4', res)),
        'again (memo)',
      );
    }
  });

  it('envelopeBody gives the UTF-8 size of its text, multi-byte characters and memo included', () => {
    const shared = shareFrozen(JSON.parse('{"v":"é€😀","lone":"\ud800","kéy":"x"}'));
    const cases: Parameters<typeof buildEnvelope>[1][] = [
      {},
      { data: { data: shared, metadata: { note: 'ünïcödé 😀' } } },
      { data: shared },
      { data: { '😀': ['€', '\udc00'], plain: 'ascii' } },
      { warnings: ['⚠ careful'], envelope: { lease_id: 'db/créds/1', mount_type: 'kv' } },
      { data: { d: new Date(0), skip: undefined } },
    ];
    for (const res of cases) {
      for (const id of ['id-1', 'id-2']) {
        const body = envelopeBody(id, res);
        assert.equal(body.text, JSON.stringify(buildEnvelope(id, res)));
        assert.equal(body.bytes, Buffer.byteLength(body.text, 'utf8'), body.text);
      }
    }
  });
});
