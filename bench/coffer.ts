/**
 * A real `coffer server` process on sqlite in a temp dir: started (pinned to the server CPU),
 * initialised with one key share, unsealed, optionally with the file audit device on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARENA_ENV, HEAP_GROWING_FLAG, SEMI_SPACE_FLAG } from '../src/server/runtime.ts';
import { pinned, SERVER_CPU } from './pinning.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = join(ROOT, 'src', 'main.ts');

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of the Vault API, read field by field
export type Json = any;

export interface Coffer {
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  readonly rootToken: string;
  /** One API call; throws on a status >= 400 (with the status, never the body's secrets). */
  api(method: string, path: string, body?: unknown, token?: string): Promise<Json>;
  /** SIGTERM, wait for exit (writes the CPU profile when profiling), remove the temp dir. */
  stop(): Promise<void>;
}

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

/** Waits until `url` answers HTTP (any status), or the process exits, or `timeoutMs` pass. */
export async function waitListening(
  url: string,
  proc: ChildProcess,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${what} exited early (${proc.exitCode})`);
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${what} did not listen on ${url}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export interface StartOptions {
  audit: boolean;
  profileDir?: string;
  /**
   * Runs the server under this command (e.g. valgrind) instead of pinned to the server CPU. The
   * server then starts already tuned (see runtimeArgs): a re-exec would leave the wrapper.
   */
  wrapper?: readonly string[];
  /** More Node/V8 flags for the server (experiments: `--node-flags` of bench:instructions). */
  nodeFlags?: readonly string[];
  /** How long the server may take to listen (default 20 s). */
  startTimeoutMs?: number;
}

/**
 * Node flags and environment that give a server the memory settings `coffer server` re-executes
 * itself with (src/server/runtime.ts), applied up front.
 */
export function runtimeArgs(): { nodeArgs: string[]; env: NodeJS.ProcessEnv } {
  return {
    nodeArgs: [SEMI_SPACE_FLAG, HEAP_GROWING_FLAG],
    env: { ...process.env, ...ARENA_ENV, COFFER_RUNTIME_TUNED: '1' },
  };
}

export async function startCoffer(opts: StartOptions): Promise<Coffer> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
  const port = await freePort();
  const config = join(dir, 'coffer.hcl');
  writeFileSync(
    config,
    `storage "sqlite" {\n  path = "${join(dir, 'coffer.db')}"\n}\n` +
      `listener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\n`,
  );
  const nodeArgs = [
    ...(opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : []),
    ...(opts.nodeFlags ?? []),
  ];
  const serverArgs = [MAIN, 'server', `-config=${config}`];
  const tuned = runtimeArgs();
  const [cmd, ...args] = opts.wrapper
    ? [...opts.wrapper, process.execPath, ...tuned.nodeArgs, ...nodeArgs, ...serverArgs]
    : pinned(process.execPath, [...nodeArgs, ...serverArgs], SERVER_CPU);
  const proc = spawn(cmd as string, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(opts.wrapper ? { env: tuned.env } : {}),
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitListening(`${url}/v1/sys/health`, proc, 'coffer server', opts.startTimeoutMs);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  const api = async (method: string, path: string, body?: unknown, token?: string): Promise<Json> => {
    const res = await fetch(`${url}/v1/${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { 'x-vault-token': token } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
  try {
    const init = await api('POST', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
    await api('PUT', 'sys/unseal', { key: init.keys_base64[0] });
    const rootToken: string = init.root_token;
    if (opts.audit) {
      await api(
        'PUT',
        'sys/audit/file',
        { type: 'file', options: { file_path: join(dir, 'audit.log') } },
        rootToken,
      );
    }
    return { url, pid: proc.pid as number, dir, rootToken, api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
