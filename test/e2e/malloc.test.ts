/**
 * On Linux the server re-executes itself once with MALLOC_MMAP_THRESHOLD_ (src/server/malloc.ts):
 * same pid, the operator's own value wins, COFFER_MALLOC_TUNING=off turns it off.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { startServerProcess } from '../helpers/process.ts';

function environOf(pid: number): Map<string, string> {
  const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return new Map(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

describe('malloc tuning', {
  skip: process.platform !== 'linux' ? 'glibc tuning is Linux-only' : false,
}, () => {
  it('the server process (same pid as started) runs with a fixed mmap threshold', async () => {
    const server = await startServerProcess({ dev: {} });
    try {
      const env = environOf(server.proc.pid!);
      assert.equal(env.get('MALLOC_MMAP_THRESHOLD_'), '131072');
      assert.match(readFileSync(`/proc/${server.proc.pid}/cmdline`, 'utf8'), /server/);
    } finally {
      await server.stop();
    }
  });

  it("keeps the operator's value, and does nothing with COFFER_MALLOC_TUNING=off", async () => {
    const own = await startServerProcess({ dev: {}, env: { MALLOC_MMAP_THRESHOLD_: '65536' } });
    try {
      assert.equal(environOf(own.proc.pid!).get('MALLOC_MMAP_THRESHOLD_'), '65536');
    } finally {
      await own.stop();
    }
    const off = await startServerProcess({ dev: {}, env: { COFFER_MALLOC_TUNING: 'off' } });
    try {
      assert.equal(environOf(off.proc.pid!).get('MALLOC_MMAP_THRESHOLD_'), undefined);
    } finally {
      await off.stop();
    }
  });
});
