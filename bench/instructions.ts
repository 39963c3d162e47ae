/**
 * CPU work per request in instructions, for comparing code changes on a machine whose speed
 * drifts: `valgrind --tool=callgrind` counts the instructions a process executes (user space, all
 * its threads), the same for the same code and inputs whatever else the machine does.
 *
 *   npm run bench:instructions -- [--scenario kv-read,kv-write] [--audit on|off|both]
 *                                 [--requests 5000] [--warmup 20000]
 *                                 [--node-flags "--flag-a --flag-b"]
 *
 * For each scenario × audit mode: a real `coffer server` under callgrind (instrumentation off),
 * the scenario's setup, `--warmup` requests over 50 keep-alive connections (the JIT compiles and
 * the heap settles: with only a few thousand, compilation was a third of the count), then
 * instrumentation on for `--requests` requests, off, dump. The baseline (bench/baseline-server.ts
 * answering a body of the same size) is counted the same way in the same run. The client runs
 * outside valgrind; a scenario's `next()` varies the requests as its Lua `request()` does for wrk.
 *
 * Prints instructions per request and the baseline's ÷ the scenario's (1.0: no more work than a
 * bare node:http server); `--annotate DIR` keeps callgrind_annotate's listing and the dump per run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, runtimeArgs, startCoffer, waitListening } from './coffer.ts';
import type { RequestSpec } from './lua.ts';
import { callgrindCounts } from './profile.ts';
import { scenarios } from './scenarios.ts';

const BASELINE = fileURLToPath(new URL('./baseline-server.ts', import.meta.url));
const CONNECTIONS = 50;
const START_TIMEOUT_MS = 300_000;

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'kv-read' },
    audit: { type: 'string', default: 'both' },
    requests: { type: 'string', default: '5000' },
    warmup: { type: 'string', default: '20000' },
    annotate: { type: 'string' },
    'node-flags': { type: 'string', default: '' },
  },
  strict: true,
});
const requests = Number(values.requests);
const warmup = Number(values.warmup);
if (!Number.isInteger(requests) || requests <= 0) throw new Error('--requests must be a positive integer');
if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup must be a whole number >= 0');
if (!['on', 'off', 'both'].includes(values.audit)) throw new Error('--audit must be on, off or both');
const audits = values.audit === 'both' ? [true, false] : [values.audit === 'on'];
/** Extra flags for the server and the baseline alike (e.g. a V8 GC setting under test). */
const nodeFlags = values['node-flags'].split(/\s+/).filter(Boolean);
const wanted = values.scenario.split(',').map((s) => s.trim());
for (const name of wanted) {
  if (!scenarios.some((s) => s.name === name)) throw new Error(`unknown scenario "${name}"`);
}
try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  throw new Error('needs valgrind (Debian: apt-get install -y valgrind)');
}

const work = mkdtempSync(join(tmpdir(), 'coffer-instr-'));
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function callgrind(out: string): string[] {
  return [
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    '--smc-check=all-non-file',
    `--callgrind-out-file=${out}`,
  ];
}

/** One request as the spec describes it (`next()` when it has one); rejects on a status >= 400. */
function send(url: string, fixed: RequestSpec, vary = true): Promise<number> {
  const spec = vary && fixed.next ? { ...fixed, ...fixed.next() } : fixed;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...spec.headers };
    if (spec.body !== undefined) headers['Content-Length'] = Buffer.byteLength(spec.body);
    const req = http.request(`${url}${spec.path}`, { method: spec.method, agent, headers }, (res) => {
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
      });
      res.on('end', () => {
        if ((res.statusCode ?? 500) >= 400)
          reject(new Error(`${spec.method} ${spec.path}: HTTP ${res.statusCode}`));
        else resolve(size);
      });
    });
    req.on('error', reject);
    req.end(spec.body);
  });
}

async function load(url: string, spec: RequestSpec, n: number): Promise<void> {
  let started = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (started++ < n) await send(url, spec);
    }),
  );
}

/** Per request: every instruction, and the part spent in V8's GC and its optimizing compilers. */
interface Counted {
  total: number;
  gcAndJit: number;
}

/** Warm-up, then `requests` counted; the dump's instructions ÷ requests. */
async function count(
  pid: number,
  out: string,
  url: string,
  spec: RequestSpec,
  label: string,
): Promise<Counted> {
  await load(url, spec, warmup);
  execFileSync('callgrind_control', ['-i', 'on', String(pid)], { stdio: 'ignore' });
  await load(url, spec, requests);
  execFileSync('callgrind_control', ['-i', 'off', String(pid)], { stdio: 'ignore' });
  execFileSync('callgrind_control', ['-d', String(pid)], { stdio: 'ignore' });
  const dir = join(out, '..');
  const base = out.split('/').at(-1) as string;
  const dump = readdirSync(dir).find((f) => f.startsWith(`${base}.`) && f !== base);
  if (!dump) throw new Error(`no callgrind dump for ${label}`);
  const text = execFileSync('callgrind_annotate', ['--inclusive=no', join(dir, dump)], {
    maxBuffer: 1 << 28,
  }).toString();
  const counted = callgrindCounts(text);
  if (!counted) throw new Error(`callgrind_annotate gave no total for ${label}`);
  if (values.annotate) {
    mkdirSync(values.annotate, { recursive: true });
    writeFileSync(join(values.annotate, `${label}.txt`), text);
    // The dump itself, for other views (`callgrind_annotate --inclusive=yes`, kcachegrind).
    copyFileSync(join(dir, dump), join(values.annotate, `${label}.callgrind`));
  }
  return { total: counted.total / requests, gcAndJit: counted.gcAndJit / requests };
}

async function baseline(spec: RequestSpec, size: number, label: string): Promise<Counted> {
  const port = await freePort();
  const out = join(work, `${label}.out`);
  const tuned = runtimeArgs();
  const [cmd, ...args] = [
    ...callgrind(out),
    process.execPath,
    ...tuned.nodeArgs,
    ...nodeFlags,
    BASELINE,
    String(port),
    String(size),
  ];
  const proc: ChildProcess = spawn(cmd as string, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: tuned.env,
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitListening(url, proc, 'baseline server', START_TIMEOUT_MS);
    return await count(proc.pid as number, out, url, spec, label);
  } finally {
    proc.kill('SIGTERM');
    await exited;
  }
}

const rows: string[] = [];
try {
  for (const name of wanted) {
    const sc = scenarios.find((s) => s.name === name)!;
    for (const audit of audits) {
      const label = `${name}-audit-${audit ? 'on' : 'off'}`;
      const out = join(work, `${label}.out`);
      process.stdout.write(`${label}: starting the server under callgrind…\n`);
      const server = await startCoffer({
        audit,
        wrapper: callgrind(out),
        nodeFlags,
        startTimeoutMs: START_TIMEOUT_MS,
      });
      let perRequest: Counted;
      let size: number;
      let spec: RequestSpec;
      try {
        spec = await sc.setup(server);
        size = await send(server.url, spec, false);
        perRequest = await count(server.pid, out, server.url, spec, label);
      } finally {
        await server.stop();
      }
      process.stdout.write(`${label}: the baseline (${size} B answers)…\n`);
      const base = await baseline(spec, size, `${label}-baseline`);
      const n = (x: number) => Math.round(x).toLocaleString('en').padStart(10);
      const rest = (c: Counted) => c.total - c.gcAndJit;
      rows.push(
        `${name.padEnd(18)} ${(audit ? 'on' : 'off').padEnd(5)} ${n(perRequest.total)} ${n(rest(perRequest))} ` +
          `${n(base.total)} ${n(rest(base))} ${(base.total / perRequest.total).toFixed(3).padStart(7)} ` +
          `${(rest(base) / rest(perRequest)).toFixed(3).padStart(7)}`,
      );
    }
  }
} finally {
  agent.destroy();
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(
  `\nInstructions per request (callgrind; ${warmup} warm-up, ${requests} counted, ${CONNECTIONS} connections)\n` +
    `(w/o GC: without V8's garbage collector and compilers, which swing a total by 5–10% from run to run)\n` +
    `${'scenario'.padEnd(18)} audit    scenario    w/o GC   baseline    w/o GC   ratio  w/o GC\n${rows.join('\n')}\n`,
);
