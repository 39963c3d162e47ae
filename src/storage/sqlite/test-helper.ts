/** Helpers shared by the sqlite storage's tests. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

const dirs: string[] = [];
// Imported at the top of a test file: the hook belongs to the file and runs when it ends.
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp folder, removed when the test file ends. */
export function tempDir(prefix = 'coffer-sqlite-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

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
