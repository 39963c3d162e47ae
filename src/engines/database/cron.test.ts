import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextCron, parseCron } from './cron.ts';

const at = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('cron parser', () => {
  const valid: [string, string, string][] = [
    // schedule, after, expected next
    ['* * * * *', '2024-01-01T00:00:30Z', '2024-01-01T00:01:00.000Z'],
    ['0 * * * *', '2024-01-01T00:00:00Z', '2024-01-01T01:00:00.000Z'],
    ['*/15 * * * *', '2024-01-01T00:16:00Z', '2024-01-01T00:30:00.000Z'],
    ['5,35 2 * * *', '2024-01-01T02:06:00Z', '2024-01-01T02:35:00.000Z'],
    ['0 9-17/4 * * *', '2024-01-01T13:00:00Z', '2024-01-01T17:00:00.000Z'],
    ['0 0 1 * *', '2024-01-15T00:00:00Z', '2024-02-01T00:00:00.000Z'],
    ['0 0 29 2 *', '2024-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['30 4 * * 0', '2024-01-01T00:00:00Z', '2024-01-07T04:30:00.000Z'], // 2024-01-07 is a Sunday
    ['30 4 * * 7', '2024-01-01T00:00:00Z', '2024-01-07T04:30:00.000Z'],
    ['0 0 13 * 5', '2024-01-01T00:00:00Z', '2024-01-05T00:00:00.000Z'], // dom OR dow: Friday 5th
    ['0 12 * 6 1-5', '2024-01-01T00:00:00Z', '2024-06-03T12:00:00.000Z'],
    ['59 23 31 12 *', '2024-01-01T00:00:00Z', '2024-12-31T23:59:00.000Z'],
  ];
  for (const [schedule, after, want] of valid) {
    it(`"${schedule}" after ${after} → ${want}`, () => {
      assert.equal(iso(nextCron(parseCron(schedule), at(after))), want);
    });
  }

  const invalid = [
    '',
    '* * * *',
    '* * * * * *',
    '60 * * * *',
    '* 24 * * *',
    '* * 0 * *',
    '* * * 13 *',
    '* * * * 8',
    '*/0 * * * *',
    '5-1 * * * *',
    'a * * * *',
    '1-2-3 * * * *',
    '1/2/3 * * * *',
    ', * * * *',
  ];
  for (const schedule of invalid) {
    it(`refuses "${schedule}"`, () => {
      assert.throws(() => parseCron(schedule), Error);
    });
  }

  it('never matches an impossible date', () => {
    assert.equal(nextCron(parseCron('0 0 31 2 *'), at('2024-01-01T00:00:00Z')), undefined);
  });
});
