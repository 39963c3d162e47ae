/**
 * `coffer server` re-executes itself once with its memory settings (src/server/runtime.ts):
 * same pid, the operator's own values win, COFFER_RUNTIME_TUNING=off turns it off.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { startServerProcess } from '../helpers/process.ts';

function environOf(pid: number): Map<string, string> {
  const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return new Map(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

describe('runtime tuning', { skip: process.platform !== 'linux' ? 'reads /proc (Linux)' : false }, () => {
  it('the server process (same pid as started) runs with its V8 flags and 2 arenas', async () => {
    const server = await startServerProcess({ dev: {} });
    try {
      const pid = server.proc.pid!;
      assert.equal(environOf(pid).get('MALLOC_ARENA_MAX'), '2');
      assert.ok(cmdline(pid).includes('--max-semi-space-size=8'), cmdline(pid).join(' '));
      assert.ok(cmdline(pid).includes('--heap-growing-percent=50'), cmdline(pid).join(' '));
      assert.ok(cmdline(pid).includes('server'));
    } finally {
      await server.stop();
    }
  });

  it("keeps the operator's values, and does nothing with COFFER_RUNTIME_TUNING=off", async () => {
    const own = await startServerProcess({
      dev: {},
      env: { MALLOC_ARENA_MAX: '4', NODE_OPTIONS: '--max-semi-space-size=16' },
    });
    try {
      assert.equal(environOf(own.proc.pid!).get('MALLOC_ARENA_MAX'), '4');
      assert.ok(!cmdline(own.proc.pid!).includes('--max-semi-space-size=8'));
    } finally {
      await own.stop();
    }
    const off = await startServerProcess({ dev: {}, env: { COFFER_RUNTIME_TUNING: 'off' } });
    try {
      assert.equal(environOf(off.proc.pid!).get('MALLOC_ARENA_MAX'), undefined);
      assert.ok(!cmdline(off.proc.pid!).includes('--max-semi-space-size=8'));
      assert.ok(!cmdline(off.proc.pid!).includes('--heap-growing-percent=50'));
    } finally {
      await off.stop();
    }
  });
});
