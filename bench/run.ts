/**
 * `npm run bench`: every scenario against a fresh coffer server (sqlite, unsealed; audit on and
 * off), each measured with wrk at 1/10/50 connections beside a bare node:http baseline from the
 * same run. Writes bench/results/latest.json and, after a run of all scenarios, the README table.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions, USAGE } from './args.ts';
import { fsyncLoop, startBaseline } from './children.ts';
import { type Coffer, startCoffer } from './coffer.ts';
import { type Kv100kResult, runKv100k } from './kv100k.ts';
import { luaScript, type RequestSpec } from './lua.ts';
import { CLIENT_CPU, ensureWrk, pinningAvailable } from './pinning.ts';
import { cpuSeconds, vmMB } from './proc.ts';
import { topSelfTimeOfFile } from './profile.ts';
import { markdownTable, median, type Row, replaceResults, suspect, textTable } from './report.ts';
import { type Scenario, scenarios } from './scenarios.ts';
import { runWrk, type WrkResult } from './wrk.ts';

const BENCH = new URL('./', import.meta.url).pathname;
const RESULTS = join(BENCH, 'results');
const PROFILES = join(RESULTS, 'profiles');
const log = (line: string) => process.stderr.write(`${line}\n`);

let opts: ReturnType<typeof parseOptions>;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  log(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}

const allNames = [...scenarios.map((s) => s.name), 'kv-100k'];
for (const n of [...(opts.scenarios ?? []), ...opts.skip]) {
  if (!allNames.includes(n)) {
    log(`unknown scenario "${n}"; known: ${allNames.join(', ')}`);
    process.exit(2);
  }
}
const wanted = (n: string) => (opts.scenarios ?? allNames).includes(n) && !opts.skip.includes(n);

const cores = availableParallelism();
ensureWrk(log);
const pinning = pinningAvailable();
if (pinning) {
  // The harness itself (fetch in setup, kv-100k) stays off the server's CPU too.
  execFileSync('taskset', ['-a', '-p', '-c', String(CLIENT_CPU), String(process.pid)], { stdio: 'ignore' });
}
log(
  pinning
    ? 'CPU pinning: applied (server, baseline and fsync loop on CPU 0; wrk and harness on CPU 1)'
    : 'CPU pinning: NOT applied (taskset missing or fewer than 2 CPUs)',
);
if (opts.profile) mkdirSync(PROFILES, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'coffer-bench-lua-'));

/**
 * Warm-up of both, then `runs` pairs of measured runs: the baseline, then the scenario, one right
 * after the other. The machine's speed drifts by tens of percent within minutes here, so each
 * scenario run is compared with the baseline run just before it. Returns the runs and the CPU the
 * server used in its own runs.
 */
async function measurePairs(
  serverUrl: string,
  baselineUrl: string,
  script: string,
  conns: number,
  pid: number,
) {
  const wrk = (url: string, seconds: number) =>
    runWrk({ url, connections: conns, seconds, script, cpu: CLIENT_CPU });
  if (opts.warmup > 0) {
    await wrk(baselineUrl, opts.warmup);
    await wrk(serverUrl, opts.warmup);
  }
  const runs: WrkResult[] = [];
  const baselineRuns: WrkResult[] = [];
  let cpu = 0;
  for (let i = 0; i < opts.runs; i++) {
    baselineRuns.push(await wrk(baselineUrl, opts.duration));
    const cpu0 = cpuSeconds(pid);
    runs.push(await wrk(serverUrl, opts.duration));
    cpu += cpuSeconds(pid) - cpu0;
  }
  return { runs, baselineRuns, cpu };
}

/** Sends the scenario's base request once; returns the response body size in bytes. */
async function probe(s: Coffer, spec: RequestSpec): Promise<number> {
  const res = await fetch(`${s.url}${spec.path}`, {
    method: spec.method,
    headers: { ...spec.headers },
    ...(spec.body === undefined ? {} : { body: spec.body }),
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status >= 400) throw new Error(`probe ${spec.method} ${spec.path}: HTTP ${res.status}`);
  return body.length;
}

const rows: Row[] = [];
const profiles: {
  scenario: string;
  audit: string;
  file: string;
  top: ReturnType<typeof topSelfTimeOfFile>;
}[] = [];
const fsyncResults: { audit: string; fsyncPerSec: number; kvWriteReqPerSec: number; ratio: number }[] = [];
const kv100k: Kv100kResult[] = [];

async function runScenario(sc: Scenario): Promise<void> {
  for (const audit of opts.audit) {
    log(`\n== ${sc.name} (audit ${audit})`);
    const before = new Set(opts.profile ? readdirSync(PROFILES) : []);
    const server = await startCoffer({
      audit: audit === 'on',
      ...(opts.profile ? { profileDir: PROFILES } : {}),
    });
    const measured: Omit<Row, 'peakRssMB'>[] = [];
    let peak = 0;
    try {
      const spec = await sc.setup(server);
      const size = sc.responseSize ?? (await probe(server, spec));
      const script = join(scratch, `${sc.name}-${audit}.lua`);
      writeFileSync(script, luaScript(spec));
      const url = `${server.url}${spec.path}`;
      log(`  baseline: node:http answering ${size} bytes of JSON, measured before each run`);
      const baseline = await startBaseline(size);
      try {
        for (const conns of opts.connections) {
          const { runs, baselineRuns, cpu } = await measurePairs(
            url,
            `${baseline.url}${spec.path}`,
            script,
            conns,
            server.pid,
          );
          const requests = runs.reduce((a, r) => a + r.requests, 0);
          const row = {
            scenario: sc.name,
            audit,
            connections: conns,
            reqPerSec: median(runs.map((r) => r.reqPerSec)),
            p50Ms: median(runs.map((r) => r.p50Ms)),
            p99Ms: median(runs.map((r) => r.p99Ms)),
            cpuSecPer1k: requests ? (cpu / requests) * 1000 : Number.NaN,
            responseBytes: size,
            non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
            socketErrors: runs.reduce((a, r) => a + r.socketErrors, 0),
            baselineReqPerSec: median(baselineRuns.map((r) => r.reqPerSec)),
            baselineP99Ms: median(baselineRuns.map((r) => r.p99Ms)),
            ratio: median(runs.map((r, i) => r.reqPerSec / baselineRuns[i]!.reqPerSec)),
            runs: runs.map(({ reqPerSec, p50Ms, p99Ms }, i) => ({
              reqPerSec,
              p50Ms,
              p99Ms,
              baselineReqPerSec: baselineRuns[i]!.reqPerSec,
              baselineP99Ms: baselineRuns[i]!.p99Ms,
            })),
          };
          log(
            `  ${conns} conns: ${row.reqPerSec.toFixed(0)} req/s, p50 ${row.p50Ms.toFixed(2)} ms, p99 ${row.p99Ms.toFixed(2)} ms; ` +
              `baseline ${row.baselineReqPerSec.toFixed(0)} req/s, p99 ${row.baselineP99Ms.toFixed(2)} ms; ratio ${row.ratio.toFixed(3)}` +
              (row.non2xx || row.socketErrors
                ? `  WARNING: ${row.non2xx} non-2xx, ${row.socketErrors} socket errors/timeouts`
                : ''),
          );
          measured.push(row);
        }
      } finally {
        await baseline.stop();
      }
      peak = vmMB(server.pid, 'VmHWM');
      if (sc.name === 'kv-write') {
        const fsyncPerSec = await fsyncLoop(server.dir, opts.duration);
        const top = measured.find((r) => r.connections === 50) ?? measured.at(-1);
        const kvWriteReqPerSec = top?.reqPerSec ?? Number.NaN;
        const ratio = kvWriteReqPerSec / fsyncPerSec;
        fsyncResults.push({ audit, fsyncPerSec, kvWriteReqPerSec, ratio });
        log(
          `  write+fsync loop: ${fsyncPerSec.toFixed(0)}/s; kv-write(${top?.connections} conns) ÷ fsync loop = ${ratio.toFixed(2)}`,
        );
      }
    } finally {
      await server.stop();
    }
    for (const r of measured) rows.push({ ...r, peakRssMB: peak });
    if (opts.profile) collectProfile(sc.name, audit, before);
  }
}

function collectProfile(scenario: string, audit: string, before: Set<string>): void {
  const fresh = readdirSync(PROFILES).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  for (const f of fresh) {
    const file = join(PROFILES, f);
    const top = topSelfTimeOfFile(file, 15);
    profiles.push({ scenario, audit, file, top });
    log(`\nCPU profile (${scenario}, audit ${audit}): ${file}\nTop 15 self time:`);
    for (const t of top)
      log(`  ${t.ms.toFixed(0).padStart(7)} ms ${t.percent.toFixed(1).padStart(5)}%  ${t.name}`);
  }
}

try {
  for (const sc of scenarios) if (wanted(sc.name)) await runScenario(sc);
  if (wanted('kv-100k')) {
    for (const audit of opts.audit) {
      log(`\n== kv-100k (audit ${audit})`);
      const server = await startCoffer({ audit: audit === 'on' });
      try {
        const r = await runKv100k(server, audit);
        kv100k.push(r);
        log(
          `  ${r.secrets} writes in ${r.writeSeconds.toFixed(1)} s (${r.writesPerSec.toFixed(0)}/s), ` +
            `${r.readsVerified}/1000 reads ok, RSS ${r.rssMB.toFixed(0)} MB, peak ${r.peakRssMB.toFixed(0)} MB`,
        );
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// ---- output
const machine = {
  cpuModel:
    /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown',
  cores,
};
const result = {
  date: new Date().toISOString(),
  node: process.version,
  ...machine,
  pinning,
  durationSeconds: opts.duration,
  warmupSeconds: opts.warmup,
  runs: opts.runs,
  connections: opts.connections,
  rows,
  fsync: fsyncResults,
  kv100k,
  profiles,
};
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);

const extras: string[] = [];
for (const f of fsyncResults) {
  extras.push(
    `kv-write (audit ${f.audit}) ÷ write+fsync loop: ${f.kvWriteReqPerSec.toFixed(0)} / ${f.fsyncPerSec.toFixed(0)} = ${f.ratio.toFixed(2)}`,
  );
}
for (const k of kv100k) {
  extras.push(
    `kv-100k (audit ${k.audit}): ${k.secrets} writes at ${k.writesPerSec.toFixed(0)}/s, ${k.readsVerified}/1000 reads ok, ` +
      `RSS after ${k.rssMB.toFixed(0)} MB (peak ${k.peakRssMB.toFixed(0)} MB)`,
  );
}
const header = `${result.date} · Node ${result.node} · ${machine.cpuModel}, ${machine.cores} cores · pinning ${pinning ? 'on' : 'off'} · ${opts.runs} runs × ${opts.duration} s (warm-up ${opts.warmup} s)`;
process.stdout.write(`\n${header}\n\n${textTable(rows)}\n${extras.length ? `\n${extras.join('\n')}\n` : ''}`);
if (rows.some(suspect))
  process.stdout.write(
    '(!) = some responses were not 2xx/3xx, sockets failed or no request completed: see latest.json\n',
  );
process.stdout.write(`\nWritten: ${join(RESULTS, 'latest.json')}\n`);

if (opts.scenarios === undefined && !opts.profile) {
  const readmePath = join(BENCH, 'README.md');
  const section = [`${header}`, '', markdownTable(rows), '', ...extras.map((e) => `- ${e}`)].join('\n');
  writeFileSync(readmePath, replaceResults(readFileSync(readmePath, 'utf8'), section));
  process.stdout.write(`Updated: ${readmePath}\n`);
}
