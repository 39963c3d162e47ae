import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatDuration, parseDuration } from './duration.ts';

it('parses Go-style durations', () => {
  const cases: Array<[unknown, number | undefined]> = [
    [30, 30],
    ['30', 30],
    ['30s', 30],
    ['1h30m', 5400],
    ['768h', 768 * 3600],
    ['1d', 86400],
    ['1500ms', 1],
    ['', 0],
    ['-5s', -5],
    ['abc', undefined],
    ['1x', undefined],
    [{}, undefined],
    [Number.NaN, undefined],
    // Go's bound (2^63-1 ns): the longest duration is accepted, anything longer is not a duration
    [9_223_372_036, 9_223_372_036],
    ['2562047h', 2_562_047 * 3600],
    ['-9223372036', -9_223_372_036],
    [9_223_372_037, undefined],
    ['2562048h', undefined],
    ['9999999999999h', undefined],
    ['99999999999999999999', undefined],
    ['-99999999999999999999', undefined],
    [1e300, undefined],
    [Number.MAX_SAFE_INTEGER, undefined],
  ];
  for (const [input, want] of cases) assert.equal(parseDuration(input), want, String(input));
});

it('formats like Go', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(3600), '1h0m0s');
  assert.equal(formatDuration(90), '1m30s');
});
