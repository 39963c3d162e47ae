/** The helper processes of a run: the baseline server and the fsync loop, both on the server CPU. */
import { execFile, spawn } from 'node:child_process';
import { freePort, waitListening } from './coffer.ts';
import { pinned, SERVER_CPU } from './pinning.ts';

const here = (f: string) => new URL(f, import.meta.url).pathname;

export interface Baseline {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts the bare node:http baseline answering a JSON body of `size` bytes. */
export async function startBaseline(size: number): Promise<Baseline> {
  const port = await freePort();
  const [cmd, ...args] = pinned(
    process.execPath,
    [here('./baseline-server.ts'), String(port), String(size)],
    SERVER_CPU,
  );
  const proc = spawn(cmd as string, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  try {
    await waitListening(url, proc, 'baseline server');
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** Runs the write+fsync loop in `dir` for `seconds`; resolves with writes per second. */
export async function fsyncLoop(dir: string, seconds: number): Promise<number> {
  const [cmd, ...args] = pinned(
    process.execPath,
    [here('./fsync-loop.ts'), dir, String(seconds)],
    SERVER_CPU,
  );
  return new Promise((resolve, reject) => {
    execFile(cmd as string, args, (err, stdout) => {
      if (err) reject(err);
      else resolve((JSON.parse(stdout) as { perSecond: number }).perSecond);
    });
  });
}
