import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = join(ROOT, 'src', 'main.ts');

/** A free port on 127.0.0.1 (closed again before returning). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix = 'coffer-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServerProcess {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** Everything the process wrote so far. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM (or the given signal) and wait for exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `coffer server` as a real process (tier 5) and resolves once it listens.
 * With `dev`, passes -dev flags; with `config`, writes an HCL file on a fresh port.
 */
export async function startServerProcess(opts: {
  dev?: { rootToken?: string };
  /** HCL config body without the listener (the helper adds a listener on `port`). */
  configHCL?: string;
  dir?: string;
  port?: number;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const args = [MAIN, 'server'];
  if (opts.dev) {
    args.push('-dev', `-dev-listen-address=127.0.0.1:${port}`);
    if (opts.dev.rootToken) args.push(`-dev-root-token-id=${opts.dev.rootToken}`);
  } else {
    const dir = opts.dir ?? tempDir().dir;
    const file = join(dir, 'coffer.hcl');
    writeFileSync(
      file,
      `${opts.configHCL ?? ''}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\n`,
    );
    args.push(`-config=${file}`);
  }
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode}):\n${out}\n${err}`);
    try {
      await fetch(`${url}/v1/sys/health`);
      break;
    } catch {
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`server did not listen on ${url}:\n${out}\n${err}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    proc,
    url,
    port,
    stdout: () => out,
    stderr: () => err,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/**
 * Runs the CLI as a process; resolves with its exit code and output. With `killAfterMs` it is
 * SIGKILLed if it has not exited by then (a command expected to fail at once, such as a server
 * that must refuse to start).
 */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
  killAfterMs?: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, COFFER_TOKEN_FILE: join(tmpdir(), `coffer-token-${process.pid}`), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  proc.stdin.end(stdin ?? '');
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
