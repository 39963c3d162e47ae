/**
 * The conformance suite every audit device runs (test-only import). `setup` returns a fresh
 * device and a way to read back, in order, every line the destination has received.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AuditDevice } from './device.ts';

export interface DeviceHarness {
  device: AuditDevice;
  /** Every line received so far, in order (waits until at least `count` arrived). */
  received(count: number): Promise<string[]>;
  cleanup(): Promise<void>;
}

export function auditDeviceConformance(setup: () => Promise<DeviceHarness>): void {
  it('conformance: lines arrive intact and in order', async () => {
    const h = await setup();
    try {
      const lines = [JSON.stringify({ n: 1, s: 'héllo "quoted"\\n' }), JSON.stringify({ n: 2 })];
      await h.device.write(lines);
      await h.device.write([JSON.stringify({ n: 3 })]);
      await h.device.write([]);
      assert.deepEqual(
        (await h.received(3)).map((l) => JSON.parse(l).n),
        [1, 2, 3],
      );
    } finally {
      await h.cleanup();
    }
  });

  it('conformance: concurrent writes all resolve and every line arrives whole', async () => {
    const h = await setup();
    try {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          h.device.write([JSON.stringify({ i, pad: 'x'.repeat(i * 10) })]),
        ),
      );
      const got = (await h.received(50)).map((l) => JSON.parse(l).i as number);
      assert.deepEqual(
        got.toSorted((a, b) => a - b),
        Array.from({ length: 50 }, (_, i) => i),
      );
    } finally {
      await h.cleanup();
    }
  });

  it('conformance: reopen keeps it working; write after close rejects', async () => {
    const h = await setup();
    try {
      await h.device.write(['{"a":1}']);
      await h.device.reopen();
      await h.device.write(['{"a":2}']);
      // Sorted: a socket device reconnects on reopen, and two connections may interleave.
      assert.deepEqual((await h.received(2)).map((l) => JSON.parse(l).a).toSorted(), [1, 2]);
      await h.device.close();
      await assert.rejects(h.device.write(['{"a":3}']));
    } finally {
      await h.cleanup();
    }
  });
}
