/**
 * The `coffer` command. `server` is loaded on demand from src/server so the CLI never pulls in
 * server code; every other command lives in src/cli and talks to a server over HTTP only.
 */
import { runCli } from './cli/dispatch.ts';
import { type Io, processIo } from './cli/io.ts';

export type { Io } from './cli/io.ts';

/**
 * Runs `coffer <argv…>` and resolves to the exit code, as Vault's CLI: 0 ok, 1 a local error
 * (flags, arguments, input), 2 a remote error (the server's error status, or no answer); see
 * src/cli/exit-code.ts for the commands with codes of their own.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  if (argv[0] === 'server') {
    const { serverCommand } = await import('./server/command.ts');
    return serverCommand(argv.slice(1));
  }
  return runCli(argv, io);
}

/** Runs the command line of this process and exits with its code (used by bin/coffer.js too). */
export async function run(): Promise<never> {
  if (process.argv[2] === 'server') {
    const { reexecTuned } = await import('./server/runtime.ts');
    reexecTuned();
  }
  const code = await main(process.argv.slice(2));
  // Flush stdout/stderr before exiting: a piped stdout is asynchronous.
  await Promise.all([
    new Promise((r) => process.stdout.write('', r)),
    new Promise((r) => process.stderr.write('', r)),
  ]);
  process.exit(code);
}

if (import.meta.main) await run();
