/** The results table (stdout, README) and the median of runs. */

export interface Row {
  readonly scenario: string;
  readonly audit: 'on' | 'off';
  readonly connections: number;
  /** Medians over the runs. */
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly baselineReqPerSec: number;
  /** The baseline's p99 at the same connection count (a floor for what the machine allows). */
  readonly baselineP99Ms: number;
  /**
   * The median over the runs of (scenario req/s ÷ the req/s of the baseline run just before it),
   * at the same connection count.
   */
  readonly ratio: number;
  /** The server's VmHWM at the end of its scenario × audit mode. */
  readonly peakRssMB: number;
  /** Server utime+stime over the measured runs ÷ requests × 1000. */
  readonly cpuSecPer1k: number;
  readonly responseBytes: number;
  /** Summed over the measured runs: responses outside 2xx/3xx, and socket errors. */
  readonly non2xx: number;
  readonly socketErrors: number;
  readonly runs: readonly {
    reqPerSec: number;
    p50Ms: number;
    p99Ms: number;
    baselineReqPerSec?: number;
    baselineP99Ms?: number;
  }[];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** A row whose figures cannot be trusted: errors, or no request completed. */
export const suspect = (r: Row): boolean => r.non2xx + r.socketErrors > 0 || !(r.reqPerSec > 0);

const HEADER = ['scenario', 'audit', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'RSS MB', 'CPU s/1k req'];

function cells(r: Row): string[] {
  return [
    r.scenario + (suspect(r) ? ' (!)' : ''),
    r.audit,
    String(r.connections),
    fmt(r.reqPerSec, 0),
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    fmt(r.ratio, 3),
    fmt(r.peakRssMB, 0),
    fmt(r.cpuSecPer1k, 3),
  ];
}

/** A fixed-width text table for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  return all
    .map((r) =>
      r.map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  '),
    )
    .join('\n');
}

/** The same table in Markdown (README). */
export function markdownTable(rows: readonly Row[]): string {
  const line = (cs: readonly string[]) => `| ${cs.join(' | ')} |`;
  const align = HEADER.map((_, i) => (i < 2 ? '---' : '---:'));
  return [line(HEADER), line(align), ...rows.map((r) => line(cells(r)))].join('\n');
}

/** Replaces the text between the results markers of `readme`. */
export function replaceResults(readme: string, section: string): string {
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error('README has no results markers');
  return `${readme.slice(0, a + start.length)}\n${section}\n${readme.slice(b)}`;
}
