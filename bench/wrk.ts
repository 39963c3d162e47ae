/**
 * Runs `wrk` (one thread, keep-alive, `--latency`) and parses its text report.
 */
import { spawn } from 'node:child_process';
import { pinned } from './pinning.ts';

export interface WrkResult {
  /** Requests completed in the measured window. */
  readonly requests: number;
  readonly seconds: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses with a status outside 2xx/3xx. */
  readonly non2xx: number;
  /** connect + read + write + timeout socket errors. */
  readonly socketErrors: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1.23ms" → 1.23; "850.00us" → 0.85; "2.01s" → 2010. */
export function parseDurationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`wrk: cannot parse duration "${text}"`);
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

/** Parses wrk's report (wrk 4.x with --latency). Throws when a figure is missing. */
export function parseWrkOutput(out: string): WrkResult {
  const reqs = /(\d+) requests in ([\d.]+)(us|ms|s|m|h),/.exec(out);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s*50(?:\.000)?%\s+(\S+)/m.exec(out);
  const p99 = /^\s*99(?:\.000)?%\s+(\S+)/m.exec(out);
  if (!reqs || !rps || !p50 || !p99) throw new Error(`wrk: unexpected output:\n${out}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1).reduce((a, n) => a + Number(n), 0) : 0;
  return {
    requests: Number(reqs[1]),
    seconds: parseDurationMs(`${reqs[2]}${reqs[3]}`) / 1000,
    reqPerSec: Number(rps[1]),
    p50Ms: parseDurationMs(p50[1] as string),
    p99Ms: parseDurationMs(p99[1] as string),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors,
  };
}

export interface WrkOptions {
  readonly url: string;
  readonly connections: number;
  /** Whole seconds (wrk takes no fractions). */
  readonly seconds: number;
  readonly script: string;
  /** CPU to pin wrk to, when pinning is available. */
  readonly cpu?: number;
}

/** Runs wrk once and resolves with its parsed report. */
export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const args = [
    '-t1',
    `-c${o.connections}`,
    `-d${Math.max(1, Math.round(o.seconds))}s`,
    '--timeout',
    '10s',
    '--latency',
    '-s',
    o.script,
    o.url,
  ];
  const [cmd, ...rest] = pinned('wrk', args, o.cpu);
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(cmd as string, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      text += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.once('error', reject);
    // wrk reports Lua errors on stderr and carries on with a default request: treat as failure.
    p.once('exit', (code) =>
      code === 0 && err.trim() === ''
        ? resolve(text)
        : reject(new Error(`wrk failed (exit ${code}): ${err}${text}`)),
    );
  });
  return parseWrkOutput(out);
}
