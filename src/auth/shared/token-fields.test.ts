import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, InvalidFieldError } from '../../sdk/index.ts';
import { defaultTokenConfig, mergeTokenFields, toAuthResult, tokenFieldsJSON } from './token-fields.ts';

describe('token fields', () => {
  it('merges only the fields given', () => {
    const a = mergeTokenFields(undefined, { token_ttl: 60, token_policies: ['B', ' a ', 'a', ''] });
    assert.deepEqual(a.token_policies, ['a', 'b']);
    assert.equal(a.token_ttl, 60);
    const b = mergeTokenFields(a, { token_max_ttl: 120 });
    assert.equal(b.token_ttl, 60);
    assert.equal(b.token_max_ttl, 120);
    assert.deepEqual(b.token_policies, ['a', 'b']);
    assert.equal(a.token_max_ttl, 0, 'the input is not modified');
  });

  it('reads as Vault does: seconds, lists, token_type default', () => {
    assert.deepEqual(
      tokenFieldsJSON(mergeTokenFields(undefined, { token_ttl: 3600, token_bound_cidrs: ['10.0.0.0/8'] })),
      {
        token_bound_cidrs: ['10.0.0.0/8'],
        token_explicit_max_ttl: 0,
        token_max_ttl: 0,
        token_no_default_policy: false,
        token_num_uses: 0,
        token_period: 0,
        token_policies: [],
        token_ttl: 3600,
        token_type: 'default',
      },
    );
  });

  it('maps legacy names, shows them on read, and lets token_* win', () => {
    const legacy = mergeTokenFields(undefined, { policies: ['p'], ttl: 30 });
    assert.deepEqual(legacy.token_policies, ['p']);
    assert.equal(legacy.token_ttl, 30);
    const json = tokenFieldsJSON(legacy);
    assert.deepEqual(json.policies, ['p']);
    assert.equal(json.ttl, 30);
    const both = mergeTokenFields(legacy, { policies: ['old'], token_policies: ['new'] });
    assert.deepEqual(both.token_policies, ['new']);
    assert.equal(tokenFieldsJSON(both).policies, undefined);
    assert.equal(tokenFieldsJSON(both).ttl, 30);
  });

  it('refuses inconsistent settings', () => {
    const cases: Array<[Parameters<typeof mergeTokenFields>[1], RegExp]> = [
      [{ token_ttl: 100, token_max_ttl: 10 }, /token_ttl/],
      [{ token_type: 'batch', token_period: 10 }, /periodic/],
      [{ token_type: 'default-batch', token_num_uses: 3 }, /use limit/],
    ];
    for (const [values, re] of cases) {
      assert.throws(
        () => mergeTokenFields(undefined, values),
        (e: unknown) => e instanceof BadRequestError && re.test((e as Error).message),
      );
    }
    assert.throws(() => mergeTokenFields(undefined, { token_bound_cidrs: ['nope'] }), InvalidFieldError);
  });

  it('builds the AuthResult', () => {
    const c = mergeTokenFields(defaultTokenConfig(), {
      token_policies: ['dev'],
      token_ttl: 60,
      token_max_ttl: 120,
      token_num_uses: 2,
      token_bound_cidrs: ['10.0.0.0/8'],
      token_no_default_policy: true,
      token_type: 'service',
    });
    assert.deepEqual(
      toAuthResult(c, { displayName: 'userpass-a', alias: { name: 'a' }, metadata: { username: 'a' } }),
      {
        policies: ['dev'],
        displayName: 'userpass-a',
        alias: { name: 'a' },
        metadata: { username: 'a' },
        ttl: 60,
        maxTTL: 120,
        explicitMaxTTL: 0,
        period: 0,
        numUses: 2,
        renewable: true,
        tokenType: 'service',
        noDefaultPolicy: true,
        boundCIDRs: ['10.0.0.0/8'],
      },
    );
    assert.deepEqual(
      toAuthResult(c, { displayName: 'x', alias: { name: 'a' }, boundCIDRs: ['1.2.3.4/32'] }).boundCIDRs,
      ['1.2.3.4/32'],
    );
  });
});
