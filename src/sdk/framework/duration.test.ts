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
  ];
  for (const [input, want] of cases) assert.equal(parseDuration(input), want, String(input));
});

it('formats like Go', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(3600), '1h0m0s');
  assert.equal(formatDuration(90), '1m30s');
});
