import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { storeHarness } from './test-helper.ts';
import type { TokenEntry } from './token-entry.ts';

// InmemStorage.list scans every key, so walking a 10,000-token tree over it is quadratic
// (~15 s for the chain, ~30 s for the fan); sqlite's list is indexed (the chain revokes in
// ~0.7 s there). These run over InmemStorage with an indexed list, as sqlite's.
const N = 10_000;

describe('revocation at scale (iterative, batched)', () => {
  it(`a ${N}-deep chain is revoked by revoking its top`, async () => {
    const { store, root, revoked, view } = await storeHarness(new InmemStorage());
    let parent: TokenEntry = root.entry;
    let top: TokenEntry | undefined;
    let bottom = '';
    for (let i = 0; i < N; i++) {
      const c = await store.create({}, parent);
      top ??= c.entry;
      parent = c.entry;
      bottom = c.id;
    }
    const t0 = performance.now();
    assert.equal(await store.revokeTree(top!), N);
    const ms = performance.now() - t0;
    console.log(`  revoked a ${N}-deep chain in ${ms.toFixed(0)} ms`);
    assert.ok(ms < 10_000);
    assert.equal(await store.lookup(bottom), undefined);
    assert.equal(revoked.length, N);
    assert.equal(revoked[0]?.hash, parent.hash, 'the deepest token goes first');
    assert.deepEqual((await view.list('id/')).length, 1, 'only the root is left');
    assert.deepEqual(await view.list('parent/'), []);
  });

  it(`a ${N}-wide fan-out is revoked by revoking its parent`, async () => {
    const { store, root, revoked, view } = await storeHarness(new InmemStorage());
    const parent = await store.create({}, root.entry);
    const ids: string[] = [];
    for (let i = 0; i < N; i += 500) {
      const batch = await Promise.all(Array.from({ length: 500 }, () => store.create({}, parent.entry)));
      ids.push(...batch.map((b) => b.id));
    }
    const t0 = performance.now();
    assert.equal(await store.revokeTree(parent.entry), N + 1);
    const ms = performance.now() - t0;
    console.log(`  revoked a ${N}-wide fan-out in ${ms.toFixed(0)} ms`);
    assert.ok(ms < 10_000);
    assert.equal(await store.lookup(ids[0]!), undefined);
    assert.equal(await store.lookup(ids[N - 1]!), undefined);
    assert.equal(revoked.length, N + 1);
    assert.equal(revoked.at(-1)?.hash, parent.entry.hash, 'the parent goes last');
    assert.deepEqual((await view.list('accessor/')).length, 1);
  });

  it('deletes in batches of at most 500 operations', async () => {
    const inner = new InmemStorage();
    const sizes: number[] = [];
    const orig = inner.batch.bind(inner);
    inner.batch = async (ops) => {
      sizes.push(ops.length);
      return orig(ops);
    };
    const { store, root } = await storeHarness(inner);
    const parent = await store.create({}, root.entry);
    await Promise.all(Array.from({ length: 1200 }, () => store.create({}, parent.entry)));
    sizes.length = 0;
    await store.revokeTree(parent.entry);
    assert.ok(sizes.length >= 8);
    assert.ok(Math.max(...sizes) <= 500, String(Math.max(...sizes)));
  });
});
