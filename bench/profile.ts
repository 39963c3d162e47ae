/** Self time per function from a V8 `.cpuprofile` (sum of timeDeltas per sampled node). */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  /** `functionName url:line` (1-based line; `(anonymous)` for unnamed functions). */
  readonly name: string;
  readonly ms: number;
  /** Share of busy time: `(idle)` is left out of the list and of the total (the server waits between phases). */
  readonly percent: number;
}

export function topSelfTime(profile: CpuProfile, n = 15): SelfTime[] {
  const key = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? ` ${url.replace(/^file:\/\//, '')}:${lineNumber + 1}` : '';
    key.set(node.id, `${functionName || '(anonymous)'}${where}`);
  }
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const k = key.get(id) ?? `#${id}`;
    if (k === '(idle)') return;
    totals.set(k, (totals.get(k) ?? 0) + us);
    all += us;
  });
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, percent: all ? (100 * us) / all : 0 }));
}

export function topSelfTimeOfFile(file: string, n = 15): SelfTime[] {
  return topSelfTime(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, n);
}

/**
 * V8's garbage collector (all its threads) and its compilers, by function name in callgrind's flat
 * listing. Whether a major GC falls inside the counted window swings a total by 5–10%; without
 * them two runs of the same code agree far better.
 */
const GC_OR_JIT =
  /Scaveng|MarkCompact|ConcurrentMarking|Marking(?:Visitor|Worklist|Barrier)|Sweep|heap::base::|MinorMS|IterateObjectCache|Evacuat|RememberedSet|SlotSet|v8::internal::compiler::|v8::internal::maglev::|v8::internal::baseline::/;

/**
 * From `callgrind_annotate --inclusive=no` output: the program's total instructions and the part
 * in functions of V8's GC and compilers (of those the listing shows); undefined without a total.
 */
export function callgrindCounts(listing: string): { total: number; gcAndJit: number } | undefined {
  let total: number | undefined;
  let gcAndJit = 0;
  for (const line of listing.split('\n')) {
    const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!m) continue;
    const ir = Number(m[1]!.replace(/,/g, ''));
    if (m[2]!.startsWith('PROGRAM TOTALS')) total = ir;
    else if (GC_OR_JIT.test(m[2]!)) gcAndJit += ir;
  }
  return total === undefined ? undefined : { total, gcAndJit };
}
