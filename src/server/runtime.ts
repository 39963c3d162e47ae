/**
 * Memory settings the server runs with, measured in bench/ (a busy server settled 60–140 MB
 * lower, at the same throughput):
 *
 * - V8's young generation: under a steady request load V8 grows each semi-space to its maximum
 *   (tens of MB on 64-bit). 8 MB keeps scavenges cheap (request objects die young either way)
 *   without the RSS. Flag `--max-semi-space-size=8`, unless given already (command line or
 *   NODE_OPTIONS).
 * - V8's old generation: after each major GC, V8 lets it grow to a multiple of what survived,
 *   between 1.1x and 4x depending on how fast the process allocates; a busy server gets the high
 *   end. The barrier's read cache keeps up to its byte budget (32 MiB) alive on purpose, and
 *   writes keep replacing parsed values in it, so the old generation reached 2-2.5x of ~50 MB live
 *   (heapTotal 95-126 MB) on kv-read-mixed. A fixed 1.5x keeps it at 80-87 MB (peak RSS 195-200
 *   MB instead of 209-243) for a few more major GCs (7-8 in 15 s instead of 3-6), which cost no
 *   throughput measurable in bench/ (same req/s and CPU per request within the noise). Flag `--heap-growing-percent=50`, unless given already (command line;
 *   NODE_OPTIONS may not carry it).
 * - glibc's malloc arenas (Linux): every thread that allocates gets an arena, and Argon2id's
 *   19 MiB blocks, freed on libuv's pool threads, stay in them (~120 MB more RSS on a server that
 *   checks passwords). `MALLOC_ARENA_MAX=2` unless set already.
 *
 * All are read at process start, so `coffer server` re-executes itself once (execve: same pid,
 * same arguments, stdio and environment, plus these). COFFER_RUNTIME_TUNING=off keeps the
 * defaults. Where execve is missing (Windows), nothing changes.
 */
export const SEMI_SPACE_FLAG = '--max-semi-space-size=8';
export const HEAP_GROWING_FLAG = '--heap-growing-percent=50';
export const ARENA_ENV = { MALLOC_ARENA_MAX: '2' } as const;
/** Set on the re-executed process, so it does not re-execute again. */
const MARK = 'COFFER_RUNTIME_TUNED';

export function reexecTuned(): void {
  if (typeof process.execve !== 'function') return;
  if (process.env.COFFER_RUNTIME_TUNING === 'off' || process.env[MARK] === '1') return;
  const script = process.argv[1];
  if (script === undefined) return;
  const env: NodeJS.ProcessEnv = { ...process.env, [MARK]: '1' };
  if (process.platform === 'linux' && env.MALLOC_ARENA_MAX === undefined) Object.assign(env, ARENA_ENV);
  const given = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  const flags = [
    ...(/--max[-_]semi[-_]space[-_]size/.test(given) ? [] : [SEMI_SPACE_FLAG]),
    ...(/--heap[-_]growing[-_]percent/.test(given) ? [] : [HEAP_GROWING_FLAG]),
  ];
  process.execve(
    process.execPath,
    [process.execPath, ...flags, ...process.execArgv, script, ...process.argv.slice(2)],
    env,
  );
}
