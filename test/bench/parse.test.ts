/** The bench harness's pure parts: wrk's report, durations, Lua strings, medians, self time. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { luaString } from '../../bench/lua.ts';
import { callgrindCounts, topSelfTime } from '../../bench/profile.ts';
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

describe('bench: callgrind listing', () => {
  const LISTING = `--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
2,963,685,805 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                   file:function
--------------------------------------------------------------------------------
65,572,459 ( 2.21%)  ???:bool v8::internal::JsonStringifier::SerializeString<false>(v8::internal::Handle<v8::internal::String>) [/x/node]
50,966,289 ( 1.72%)  ???:heap::base::SlotCallbackResult v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>(v8::internal::FullHeapObjectSlot) [/x/node]
45,932,552 ( 1.55%)  ???:void v8::internal::MarkingVisitorBase<v8::internal::ConcurrentMarkingVisitor>::ProcessStrongHeapObject(x) [/x/node]
 1,000,000 ( 0.03%)  ???:v8::internal::compiler::Pipeline::Run(x) [/x/node]
38,375,907 ( 1.29%)  ./malloc/./malloc/malloc.c:_int_malloc [/usr/lib/x86_64-linux-gnu/libc.so.6]
`;
  it('reads the total and sums the GC and compiler functions', () => {
    assert.deepEqual(callgrindCounts(LISTING), {
      total: 2_963_685_805,
      gcAndJit: 50_966_289 + 45_932_552 + 1_000_000,
    });
  });
  it('undefined without a total', () => {
    assert.equal(callgrindCounts('nothing here'), undefined);
  });
});
