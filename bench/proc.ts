/** Process figures from /proc: CPU time (utime + stime) and peak RSS (VmHWM). */
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

/** utime + stime of a live process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After comm, field 3 is index 0: utime (14) is index 11, stime (15) index 12.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** A `Vm*` figure of /proc/<pid>/status in MB (e.g. VmHWM = peak RSS, VmRSS = current). */
export function vmMB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]) / 1024;
}
