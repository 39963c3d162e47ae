/** The bench harness's pure parts: wrk's report, durations, Lua strings, medians, self time. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { luaString } from '../../bench/lua.ts';
import { topSelfTime } from '../../bench/profile.ts';
import { median, replaceResults } from '../../bench/report.ts';
import { parseDurationMs, parseWrkOutput } from '../../bench/wrk.ts';

const REPORT = `Running 5s test @ http://127.0.0.1:40359/v1/secret/data/read-me
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.18ms    1.49ms  30.69ms   88.97%
    Req/Sec     2.40k   161.47     2.74k    60.00%
  Latency Distribution
     50%    3.90ms
     75%    4.52ms
     90%    5.61ms
     99%    1.02s
  11952 requests in 5.01s, 17.53MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   2385.63
Transfer/sec:      3.50MB
`;

describe('bench: wrk report parser', () => {
  it('reads requests, req/s, p50, p99 and errors', () => {
    assert.deepEqual(parseWrkOutput(REPORT), {
      requests: 11952,
      seconds: 5.01,
      reqPerSec: 2385.63,
      p50Ms: 3.9,
      p99Ms: 1020,
      non2xx: 7,
      socketErrors: 5,
    });
  });

  it('counts no errors when wrk prints none', () => {
    const clean = REPORT.replace(/ {2}Socket errors.*\n {2}Non-2xx.*\n/, '');
    const r = parseWrkOutput(clean);
    assert.equal(r.non2xx, 0);
    assert.equal(r.socketErrors, 0);
  });

  it('refuses a report without latency distribution (no --latency)', () => {
    assert.throws(
      () => parseWrkOutput(REPORT.replace(/ {2}Latency Distribution[\s\S]*?99%.*\n/, '')),
      /unexpected output/,
    );
  });

  for (const [text, ms] of [
    ['850.00us', 0.85],
    ['1.50ms', 1.5],
    ['2.00s', 2000],
    ['1.00m', 60_000],
  ] as const) {
    it(`duration ${text} = ${ms} ms`, () => assert.equal(parseDurationMs(text), ms));
  }
  it('refuses an unknown unit', () => assert.throws(() => parseDurationMs('3parsecs')));
});

describe('bench: helpers', () => {
  it('luaString picks a level its content cannot close', () => {
    assert.equal(luaString('a'), '[=[a]=]');
    assert.equal(luaString('x]=]y'), '[==[x]=]y]==]');
  });

  it('median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('replaceResults rewrites only between the markers', () => {
    const md = 'a\n<!-- results:start -->\nold\n<!-- results:end -->\nb\n';
    assert.equal(replaceResults(md, 'new'), 'a\n<!-- results:start -->\nnew\n<!-- results:end -->\nb\n');
    assert.throws(() => replaceResults('no markers', 'x'));
  });

  it('topSelfTime sums time deltas per function, idle left out', () => {
    const frame = (functionName: string, lineNumber: number) => ({
      functionName,
      url: 'file:///a.ts',
      lineNumber,
    });
    const top = topSelfTime({
      nodes: [
        { id: 1, callFrame: frame('f', 0) },
        { id: 2, callFrame: frame('g', 9) },
        { id: 3, callFrame: frame('f', 0) },
        { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      ],
      samples: [1, 2, 4, 3, 2],
      timeDeltas: [1000, 500, 9000, 2000, 500],
    });
    assert.deepEqual(
      top.map((t) => [t.name, t.ms, Math.round(t.percent)]),
      [
        ['f /a.ts:1', 3, 75],
        ['g /a.ts:10', 1, 25],
      ],
    );
  });
});
