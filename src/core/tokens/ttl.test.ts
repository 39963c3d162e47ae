import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrAllows, parseCIDRs } from './cidr.ts';
import { creationTTL, renewalTTL } from './ttl.ts';

const limits = { defaultTTL: () => 100, maxTTL: () => 1000 };

describe('creationTTL', () => {
  const cases: [string, Parameters<typeof creationTTL>[0], number][] = [
    ['default', { ttl: 0, period: 0, explicitMaxTTL: 0, maxTTL: 0, isRoot: false }, 100],
    ['requested', { ttl: 50, period: 0, explicitMaxTTL: 0, maxTTL: 0, isRoot: false }, 50],
    ['capped by the mount max', { ttl: 5000, period: 0, explicitMaxTTL: 0, maxTTL: 0, isRoot: false }, 1000],
    ['capped by a role max', { ttl: 500, period: 0, explicitMaxTTL: 0, maxTTL: 300, isRoot: false }, 300],
    ['explicit max caps', { ttl: 500, period: 0, explicitMaxTTL: 200, maxTTL: 0, isRoot: false }, 200],
    ['root never expires', { ttl: 0, period: 0, explicitMaxTTL: 0, maxTTL: 0, isRoot: true }, 0],
    ['root with explicit max', { ttl: 0, period: 0, explicitMaxTTL: 60, maxTTL: 0, isRoot: true }, 60],
    [
      'periodic: the period, no max',
      { ttl: 5, period: 5000, explicitMaxTTL: 0, maxTTL: 0, isRoot: false },
      5000,
    ],
    [
      'periodic with explicit max',
      { ttl: 0, period: 500, explicitMaxTTL: 200, maxTTL: 0, isRoot: false },
      200,
    ],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => assert.equal(creationTTL(input, limits).ttl, want));
  }
});

describe('renewalTTL', () => {
  const base = { creationTTL: 100, period: 0, explicitMaxTTL: 0, maxTTL: 0, issueTime: 0 };
  const cases: [string, Partial<typeof base>, number, number, number | RegExp][] = [
    ['original TTL', {}, 0, 10_000, 100],
    ['increment', {}, 300, 10_000, 300],
    ['capped by max from issue', {}, 900, 500_000, 500],
    ['capped by explicit max', { explicitMaxTTL: 200 }, 900, 50_000, 150],
    ['past the max', {}, 10, 1_000_000, /past the max TTL/],
    ['periodic ignores increment and mount max', { period: 60 }, 900, 5_000_000, 60],
    ['periodic capped by explicit max', { period: 60, explicitMaxTTL: 100 }, 0, 70_000, 30],
  ];
  for (const [name, over, inc, now, want] of cases) {
    it(name, () => {
      const run = () => renewalTTL({ ...base, ...over }, inc, now, limits).ttl;
      if (want instanceof RegExp) assert.throws(run, want);
      else assert.equal(run(), want);
    });
  }
});

describe('bound CIDRs', () => {
  const cases: [string[], string, boolean][] = [
    [[], '1.2.3.4', true],
    [['10.0.0.0/8'], '10.1.2.3', true],
    [['10.0.0.0/8'], '11.1.2.3', false],
    [['10.0.0.0/8'], '::ffff:10.9.9.9', true],
    [['127.0.0.1'], '127.0.0.1', true],
    [['127.0.0.1'], '127.0.0.2', false],
    [['2001:db8::/32'], '2001:db8::1', true],
    [['2001:db8::/32'], '10.0.0.1', false],
    [['10.0.0.0/8'], 'not-an-ip', false],
  ];
  for (const [cidrs, addr, want] of cases) {
    it(`${JSON.stringify(cidrs)} ${addr} → ${want}`, () => assert.equal(cidrAllows(cidrs, addr), want));
  }
  it('parses lists and refuses malformed entries', () => {
    assert.deepEqual(parseCIDRs('f', ['10.0.0.0/8', ' ', '::1']), ['10.0.0.0/8', '::1']);
    for (const bad of ['10.0.0.0/33', 'x', '1.2.3.4/', '::/129'])
      assert.throws(() => parseCIDRs('f', [bad]), /f/);
  });
});
