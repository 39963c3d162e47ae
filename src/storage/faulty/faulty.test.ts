import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storageConformance } from '../conformance.ts';
import { InmemStorage } from '../inmem/inmem.ts';
import { FaultyStorage } from './faulty.ts';

storageConformance('faulty(inmem), no faults', async () => ({
  storage: new FaultyStorage(new InmemStorage()),
  cleanup: async () => {},
}));

storageConformance('faulty(inmem), 1 ms latency', async () => ({
  storage: new FaultyStorage(new InmemStorage(), { latencyMs: 1 }),
  cleanup: async () => {},
}));

describe('FaultyStorage', () => {
  it('failNext fails the next call of that op only, before it reaches storage', async () => {
    const inner = new InmemStorage();
    const s = new FaultyStorage(inner);
    const boom = new Error('disk on fire');
    s.failNext('put', boom);
    await s.get('k');
    await assert.rejects(s.put('k', Buffer.from('v')), boom);
    assert.equal(inner.size, 0);
    await s.put('k', Buffer.from('v'));
    assert.equal((await s.get('k'))?.toString(), 'v');
  });

  it('queued faults are used in order, one per call', async () => {
    const s = new FaultyStorage(new InmemStorage());
    s.failNext('get', new Error('first'));
    s.failNext('get', new Error('second'));
    const results = await Promise.allSettled([s.get('a'), s.get('b'), s.get('c')]);
    assert.deepEqual(
      results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok')),
      ['first', 'second', 'ok'],
    );
  });

  it("failNext 'after' applies the write, then fails the call", async () => {
    const inner = new InmemStorage();
    const s = new FaultyStorage(inner);
    s.failNext('batch', new Error('lost ack'), 'after');
    await assert.rejects(s.batch([{ op: 'put', key: 'k', value: Buffer.from('v') }]), /lost ack/);
    assert.equal((await inner.get('k'))?.toString(), 'v');
  });

  it('a predicate fails chosen ops and keys; a batch fails as a whole', async () => {
    const inner = new InmemStorage();
    const s = new FaultyStorage(inner, {
      fault: (op, key) =>
        op !== 'get' && key.startsWith('locked/') ? new Error(`no ${op} on ${key}`) : undefined,
    });
    await s.put('free', Buffer.from('1'));
    await assert.rejects(s.put('locked/a', Buffer.from('1')), /no put on locked\/a/);
    await assert.rejects(s.delete('locked/a'), /no delete/);
    await assert.rejects(s.list('locked/'), /no list/);
    await assert.rejects(
      s.batch([
        { op: 'put', key: 'other', value: Buffer.from('1') },
        { op: 'delete', key: 'locked/b' },
      ]),
      /no batch on locked\/b/,
    );
    assert.equal(await inner.get('other'), undefined);
    assert.equal(await s.get('locked/a'), undefined);
    s.fault = undefined;
    await s.put('locked/a', Buffer.from('1'));
    assert.deepEqual(await s.list(''), ['free', 'locked/']);
  });

  it('adds latency per op and key, and counts calls', async () => {
    const asked: string[] = [];
    const s = new FaultyStorage(new InmemStorage(), {
      latencyMs: (op, key) => {
        asked.push(`${op} ${key}`);
        return op === 'put' ? 30 : 0;
      },
    });
    const t = performance.now();
    await s.put('k', Buffer.from('v'));
    assert.ok(performance.now() - t >= 25, 'put was not delayed');
    await s.get('k');
    await s.batch([
      { op: 'delete', key: 'x' },
      { op: 'delete', key: 'y' },
    ]);
    s.latencyMs = 20;
    const t2 = performance.now();
    await s.list('dir/');
    assert.ok(performance.now() - t2 >= 15, 'list was not delayed');
    assert.deepEqual(asked, ['put k', 'get k', 'batch x']);
    assert.deepEqual(s.calls, { get: 1, put: 1, delete: 0, list: 1, batch: 1, close: 0 });
  });

  it('with latency, the value is the one given at call time', async () => {
    const s = new FaultyStorage(new InmemStorage(), { latencyMs: 10 });
    const v = Buffer.from('before');
    const p = s.put('k', v);
    v.fill(0);
    await p;
    assert.equal((await s.get('k'))?.toString(), 'before');
  });

  it('reset drops faults and latency', async () => {
    const s = new FaultyStorage(new InmemStorage(), { latencyMs: 60_000, fault: () => new Error('always') });
    s.failNext('get');
    s.reset();
    assert.equal(s.latencyMs, 0);
    assert.equal(await s.get('k'), undefined);
  });

  it('the default injected error names the op', async () => {
    const s = new FaultyStorage(new InmemStorage());
    s.failNext('close');
    await assert.rejects(s.close(), /injected close fault/);
    await s.close();
  });
});
