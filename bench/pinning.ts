/**
 * CPU pinning with `taskset` (util-linux): the server (and baseline, fsync loop) on CPU 0, wrk on
 * CPU 1. Pinning is applied only when taskset exists and the machine has at least 2 CPUs.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;

let cached: boolean | undefined;

/** Whether taskset is usable here. */
export function pinningAvailable(): boolean {
  if (cached === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      cached = availableParallelism() >= 2;
    } catch {
      cached = false;
    }
  }
  return cached;
}

/** `[cmd, ...args]`, prefixed with `taskset -c CPU` when pinning is available. */
export function pinned(cmd: string, args: readonly string[], cpu: number | undefined): string[] {
  if (cpu === undefined || !pinningAvailable()) return [cmd, ...args];
  return ['taskset', '-c', String(cpu), cmd, ...args];
}

/** Installs wrk with apt-get when it is missing and we are root; throws when it stays missing. */
export function ensureWrk(log: (line: string) => void): void {
  const has = () => {
    try {
      execFileSync('wrk', ['--version'], { stdio: 'ignore' });
      return true;
    } catch (err) {
      // wrk --version exits 1 but runs: only ENOENT means missing.
      return (err as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  };
  if (has()) return;
  if (process.getuid?.() !== 0)
    throw new Error('wrk is not installed: run `apt-get install -y wrk` (Debian) first');
  log('wrk is missing: running `apt-get install -y wrk`');
  execFileSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit' });
  if (!has()) throw new Error('wrk is still missing after apt-get install');
}
