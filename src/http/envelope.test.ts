import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEnvelope, hasEnvelope } from './envelope.ts';

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
});
