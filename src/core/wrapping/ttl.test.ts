import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, PermissionDeniedError } from '../../sdk/errors.ts';
import { checkWrappingPolicy, parseWrapFormat, parseWrapTTL } from './ttl.ts';

describe('parseWrapTTL', () => {
  const ok: Array<[string | undefined, number | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['  ', undefined],
    ['60', 60],
    [' 60 ', 60],
    ['60s', 60],
    ['5m', 300],
    ['1h30m', 5400],
    ['1.5m', 90],
    ['1d', 86400],
    ['768h', 768 * 3600],
  ];
  for (const [header, want] of ok) {
    it(`${JSON.stringify(header)} → ${want}`, () => assert.equal(parseWrapTTL(header), want));
  }
  const bad: Array<[string, RegExp]> = [
    ['abc', /invalid X-Vault-Wrap-TTL/],
    ['5 m', /invalid/],
    ['5x', /invalid/],
    ['s', /invalid/],
    ['-5s', /negative/],
    ['-1', /negative/],
    ['0', /at least one second/],
    ['0s', /at least one second/],
    ['500ms', /at least one second/],
    ['769h', /exceeds the maximum/],
    ['2562047h', /exceeds the maximum/],
    // longer than Go's longest duration: not a duration at all
    ['99999999999999999999', /invalid X-Vault-Wrap-TTL/],
  ];
  for (const [header, re] of bad) {
    it(`${JSON.stringify(header)} → 400`, () => {
      assert.throws(
        () => parseWrapTTL(header),
        (e: unknown) => e instanceof BadRequestError && re.test(e.message),
      );
    });
  }
  it('takes the max TTL it is given', () => {
    assert.equal(parseWrapTTL('1h', 3600), 3600);
    assert.throws(() => parseWrapTTL('3601', 3600), /exceeds the maximum/);
  });
});

describe('parseWrapFormat', () => {
  it('JSON by default, refuses jwt, ignores the rest as Vault does', () => {
    assert.equal(parseWrapFormat(undefined), 'json');
    assert.equal(parseWrapFormat('json'), 'json');
    assert.equal(parseWrapFormat('whatever'), 'json');
    assert.throws(() => parseWrapFormat('JWT'), BadRequestError);
  });
});

describe('checkWrappingPolicy', () => {
  const cases: Array<[number | undefined, { minWrappingTTL?: number; maxWrappingTTL?: number }, boolean]> = [
    [undefined, {}, true],
    [60, {}, true],
    [undefined, { minWrappingTTL: 0, maxWrappingTTL: 0 }, true],
    [undefined, { minWrappingTTL: 1 }, false],
    [undefined, { maxWrappingTTL: 300 }, false],
    [30, { minWrappingTTL: 60 }, false],
    [60, { minWrappingTTL: 60 }, true],
    [300, { maxWrappingTTL: 300 }, true],
    [301, { maxWrappingTTL: 300 }, false],
    [120, { minWrappingTTL: 60, maxWrappingTTL: 300 }, true],
    [30, { minWrappingTTL: 60, maxWrappingTTL: 300 }, false],
  ];
  for (const [ttl, limits, allowed] of cases) {
    it(`${ttl} within ${JSON.stringify(limits)}: ${allowed ? 'allowed' : '403'}`, () => {
      if (allowed) checkWrappingPolicy(ttl, limits);
      else assert.throws(() => checkWrappingPolicy(ttl, limits), PermissionDeniedError);
    });
  }
});
