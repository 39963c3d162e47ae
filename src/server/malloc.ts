/**
 * glibc's malloc keeps freed memory in per-thread arenas, and after the first large block is freed
 * it raises its mmap threshold to that size, so later large blocks come from the arenas and are
 * never given back. Argon2id takes 19 MiB per hash on libuv's pool threads: without tuning, a
 * server that checks passwords settles ~120 MB above its working set (one such block kept per
 * pool thread). A fixed threshold keeps every block of 128 KiB and more in its own mapping,
 * returned to the system when freed.
 *
 * The setting is read by glibc at process start, so on Linux the server re-executes itself once
 * (execve: same pid, same arguments and Node options) with MALLOC_MMAP_THRESHOLD_ set. An operator
 * who sets the variable (to anything) or COFFER_MALLOC_TUNING=off keeps their own.
 */
export const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: String(128 * 1024) } as const;

export function reexecWithMallocTuning(): void {
  if (process.platform !== 'linux' || typeof process.execve !== 'function') return;
  if (process.env.MALLOC_MMAP_THRESHOLD_ !== undefined || process.env.COFFER_MALLOC_TUNING === 'off') return;
  const script = process.argv[1];
  if (script === undefined) return;
  process.execve(
    process.execPath,
    [process.execPath, ...process.execArgv, script, ...process.argv.slice(2)],
    {
      ...process.env,
      ...MALLOC_ENV,
    },
  );
}
