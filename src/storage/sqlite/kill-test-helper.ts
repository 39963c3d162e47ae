import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

/**
 * For crash tests: runs `node script ...args`, collects the lines it prints (one per acknowledged
 * write) and SIGKILLs it once it has printed `killAfter` of them. Fails if it exits on its own.
 */
export async function runUntilKilled(
  script: string,
  args: string[],
  killAfter: number,
): Promise<{ acknowledged: string[]; stderr: string }> {
  const acknowledged: string[] = [];
  let stderr = '';
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    acknowledged.push(...lines);
    if (acknowledged.length >= killAfter) child.kill('SIGKILL');
  });
  const signal = await new Promise<string | null>((res) => child.on('close', (_code, sig) => res(sig)));
  assert.equal(signal, 'SIGKILL', `writer exited without being killed: ${stderr.slice(-2000)}`);
  assert.ok(acknowledged.length >= killAfter);
  return { acknowledged, stderr };
}
