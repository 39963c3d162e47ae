/**
 * kv-100k (memory): write 100,000 small KV v2 secrets over keep-alive fetch (32 in flight), read
 * 1,000 of them back, and report the server's RSS after and its peak.
 */
import type { Coffer } from './coffer.ts';
import { pool } from './pool.ts';
import { vmMB } from './proc.ts';
import { kvAndToken } from './scenarios.ts';

export interface Kv100kResult {
  readonly audit: 'on' | 'off';
  readonly secrets: number;
  readonly writeSeconds: number;
  readonly writesPerSec: number;
  readonly readsVerified: number;
  readonly rssMB: number;
  readonly peakRssMB: number;
}

export async function runKv100k(s: Coffer, audit: 'on' | 'off', count = 100_000): Promise<Kv100kResult> {
  const token = await kvAndToken(s);
  const headers = { 'content-type': 'application/json', 'x-vault-token': token };
  const call = async (method: string, i: number, body?: string) => {
    const res = await fetch(`${s.url}/v1/secret/data/k/${i}`, { method, headers, ...(body ? { body } : {}) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`kv-100k: ${method} #${i}: HTTP ${res.status}`);
    return text;
  };
  const start = performance.now();
  await pool(count, 32, async (i) => {
    await call('POST', i, JSON.stringify({ data: { value: `v-${i}-${'x'.repeat(64)}` } }));
  });
  const writeSeconds = (performance.now() - start) / 1000;
  let readsVerified = 0;
  await pool(1000, 32, async (j) => {
    const i = Math.floor((j * count) / 1000);
    if ((await call('GET', i)).includes(`"v-${i}-`)) readsVerified++;
  });
  return {
    audit,
    secrets: count,
    writeSeconds,
    writesPerSec: count / writeSeconds,
    readsVerified,
    rssMB: vmMB(s.pid, 'VmRSS'),
    peakRssMB: vmMB(s.pid, 'VmHWM'),
  };
}
