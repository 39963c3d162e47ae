import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, InvalidFieldError, PermissionDeniedError } from '../../sdk/errors.ts';
import { DAY, START, storeHarness } from './test-helper.ts';

describe('token store', () => {
  it('creates, looks up and revokes; ids are hvs. + 24 base62 and stored only as hashes', async () => {
    const { store, view, root } = await storeHarness();
    assert.match(root.id, /^hvs\.[0-9A-Za-z]{24}$/);
    assert.deepEqual(root.entry.policies, ['root']);
    assert.equal(root.entry.expireTime, 0);
    const { id, entry } = await store.create({ policies: ['app'] }, root.entry);
    assert.match(id, /^hvs\.[0-9A-Za-z]{24}$/);
    assert.deepEqual(entry.policies, ['app', 'default']);
    assert.equal(entry.parent, root.entry.hash);
    assert.equal(entry.orphan, false);
    assert.equal((await store.lookup(id))?.hash, store.hash(id));
    assert.equal(await store.lookup('hvs.nope'), undefined);
    assert.equal(await store.lookup(''), undefined);
    // Neither ids nor accessors appear in storage, in keys or values.
    for (const key of await view.listAll()) {
      const raw = (await view.get(key))!.toString('utf8');
      for (const secret of [id, root.id]) {
        assert.ok(!key.includes(secret) && !raw.includes(secret), key);
      }
      assert.ok(!key.includes(entry.accessor), key);
    }
    await store.revoke(id);
    assert.equal(await store.lookup(id), undefined);
    assert.ok(await store.lookup(root.id));
  });

  it('TTL: the default, capped by the max TTL, explicit max TTL caps, root never expires', async () => {
    const { store, root, clock } = await storeHarness();
    const def = await store.create({ policies: ['a'] }, root.entry);
    assert.equal(def.entry.ttl, 3600);
    assert.equal(def.entry.expireTime, START + 3600_000);
    const capped = await store.create({ ttl: 10 * DAY }, root.entry);
    assert.equal(capped.entry.ttl, DAY);
    assert.match(capped.warnings[0] ?? '', /max_ttl/);
    const explicit = await store.create({ ttl: 600, explicitMaxTTL: 60 }, root.entry);
    assert.equal(explicit.entry.ttl, 60);
    const rootChild = await store.create({}, root.entry);
    assert.deepEqual(rootChild.entry.policies, ['root']);
    assert.equal(rootChild.entry.ttl, 0);
    clock.advance(3599);
    assert.ok(await store.lookup(def.id));
    clock.advance(1);
    assert.equal(await store.lookup(def.id), undefined);
    assert.equal(await store.lookup(explicit.id), undefined);
    assert.ok(await store.lookup(rootChild.id));
  });

  it('expiry survives a restart: the expiry is absolute time', async () => {
    const h = await storeHarness();
    const { id } = await h.store.create({ ttl: 100 }, h.root.entry);
    const again = await h.restart();
    assert.ok(await again.lookup(id));
    h.clock.advance(101);
    const later = await h.restart();
    assert.equal(await later.lookup(id), undefined);
    assert.ok(await later.lookup(h.root.id));
  });

  it('renew: increment or original TTL, never past the max TTL from creation; periodic renews to the period', async () => {
    const { store, root, clock, limits } = await storeHarness();
    limits.max = 1000;
    const { id, entry } = await store.create({ ttl: 300 }, root.entry);
    clock.advance(200);
    let r = await store.renew(entry);
    assert.equal(r.ttl, 300);
    assert.equal(r.expireTime, clock.ms + 300_000);
    r = await store.renew(entry, 500);
    assert.equal(r.ttl, 500);
    clock.advance(400);
    const w = await store.renewWithWarnings(entry, 900);
    assert.equal(w.entry.ttl, 400, 'capped at creation + 1000s');
    assert.equal(w.warnings.length, 1);
    clock.advance(399);
    assert.ok(await store.lookup(id));
    clock.advance(1);
    await assert.rejects(store.renew(entry), BadRequestError);

    const periodic = await store.create({ period: 600, ttl: 5 }, root.entry);
    assert.equal(periodic.entry.ttl, 600);
    for (let i = 0; i < 5; i++) {
      clock.advance(500);
      const p = await store.renew(periodic.entry, 5000);
      assert.equal(p.ttl, 600, 'periodic tokens ignore the increment and the max TTL');
    }
    const bounded = await store.create({ period: 600, explicitMaxTTL: 900 }, root.entry);
    clock.advance(500);
    assert.equal((await store.renew(bounded.entry)).ttl, 400);

    const fixed = await store.create({ ttl: 60, renewable: false }, root.entry);
    await assert.rejects(store.renew(fixed.entry), /not renewable/);
  });

  it('num_uses=1: of 20 concurrent uses exactly one gets the entry, then the token and its children are gone', async () => {
    const { store, root, revoked } = await storeHarness();
    const { id, entry } = await store.create({ numUses: 1 }, root.entry);
    const child = await store.create({}, (await store.lookup(id))!);
    const results = await Promise.all(Array.from({ length: 20 }, () => store.use(entry)));
    assert.equal(results.filter((r) => r !== undefined).length, 1);
    assert.equal(results.find((r) => r)?.numUses, 0);
    assert.equal(await store.lookup(id), undefined);
    assert.equal(await store.lookup(child.id), undefined);
    assert.deepEqual(revoked.map((e) => e.hash).sort(), [entry.hash, child.entry.hash].sort());
  });

  it('num_uses=3: exactly three uses succeed and the count is stored', async () => {
    const h = await storeHarness();
    const { id, entry } = await h.store.create({ numUses: 3 }, h.root.entry);
    assert.equal((await h.store.use(entry))?.numUses, 2);
    assert.equal((await (await h.restart()).lookup(id))?.numUses, 2);
    const rest = await Promise.all(Array.from({ length: 5 }, () => h.store.use(entry)));
    assert.equal(rest.filter(Boolean).length, 2);
    assert.equal(await h.store.lookup(id), undefined);
    const unlimited = await h.store.create({}, h.root.entry);
    for (let i = 0; i < 3; i++) assert.ok(await h.store.use(unlimited.entry));
  });

  it('revokeTree revokes all descendants; revokeOrphan keeps the children, now orphans', async () => {
    const { store, root, revoked } = await storeHarness();
    const a = await store.create({}, root.entry);
    const b = await store.create({}, a.entry);
    const c = await store.create({}, b.entry);
    const d = await store.create({}, a.entry);
    await store.revokeTree(b.entry);
    assert.equal(await store.lookup(b.id), undefined);
    assert.equal(await store.lookup(c.id), undefined);
    assert.ok(await store.lookup(a.id));
    assert.deepEqual(
      revoked.map((e) => e.hash),
      [c.entry.hash, b.entry.hash],
      'deepest first',
    );
    const e = await store.create({}, d.entry);
    await store.revokeOrphan(a.entry);
    assert.equal(await store.lookup(a.id), undefined);
    const dNow = await store.lookup(d.id);
    assert.equal(dNow?.orphan, true);
    assert.equal(dNow?.parent, '');
    assert.equal((await store.lookup(e.id))?.parent, d.entry.hash);
    await store.revokeTree(d.entry);
    assert.equal(await store.lookup(e.id), undefined);
  });

  it('revokeByPath revokes the tokens created under a mount path, with their trees, and nothing else', async () => {
    const { store, root } = await storeHarness();
    const a = await store.create({ path: 'auth/up/login/a' });
    const b = await store.create({ path: 'auth/up/login/b' });
    const child = await store.create({}, a.entry);
    const nested = await store.create({ path: 'auth/up/login/c' }, b.entry);
    const sibling = await store.create({ path: 'auth/up2/login/a' });
    const other = await store.create({}, root.entry);
    assert.equal(await store.revokeByPath('auth/up/'), 4);
    for (const t of [a, b, child, nested]) assert.equal(await store.lookup(t.id), undefined);
    assert.ok(await store.lookup(sibling.id), 'auth/up2/ is another mount');
    assert.ok(await store.lookup(other.id));
    assert.ok(await store.lookup(root.id));
    assert.equal(await store.revokeByPath('auth/up/'), 0);
    await assert.rejects(store.revokeByPath('auth/up'), TypeError);
  });

  it('accessors: list, look up and revoke by accessor', async () => {
    const { store, root } = await storeHarness();
    const a = await store.create({}, root.entry);
    const b = await store.create({}, a.entry);
    assert.deepEqual(
      await store.listAccessors(),
      [root.entry.accessor, a.entry.accessor, b.entry.accessor].sort(),
    );
    assert.equal((await store.lookupAccessor(a.entry.accessor))?.hash, a.entry.hash);
    assert.equal(await store.lookupAccessor('nope'), undefined);
    assert.equal(await store.revokeAccessor(a.entry.accessor), true);
    assert.equal(await store.lookup(b.id), undefined);
    assert.equal(await store.revokeAccessor(a.entry.accessor), false);
    assert.deepEqual(await store.listAccessors(), [root.entry.accessor]);
  });

  it('child policies: inherited by default, a subset of the parent unless it is root', async () => {
    const { store, root } = await storeHarness();
    const parent = await store.create({ policies: ['a', 'b'] }, root.entry);
    assert.deepEqual((await store.create({}, parent.entry)).entry.policies, ['a', 'b', 'default']);
    assert.deepEqual((await store.create({ policies: ['a'] }, parent.entry)).entry.policies, [
      'a',
      'default',
    ]);
    assert.deepEqual(
      (await store.create({ policies: ['a'], noDefaultPolicy: true }, parent.entry)).entry.policies,
      ['a'],
    );
    await assert.rejects(store.create({ policies: ['a', 'c'] }, parent.entry), /subset of parent/);
    await assert.rejects(store.create({ policies: ['root'] }, parent.entry), /subset of parent/);
    // Internal callers (response wrapping) may attach internal policies; the API may not.
    assert.deepEqual(
      (await store.create({ policies: ['response-wrapping'], noDefaultPolicy: true })).entry.policies,
      ['response-wrapping'],
    );
    assert.deepEqual((await store.create({ policies: ['x', 'Y '] }, root.entry)).entry.policies, [
      'default',
      'x',
      'y',
    ]);
  });

  it('batch tokens: hvb., no accessor, no children, not renewable, die with their parent', async () => {
    const { store, root } = await storeHarness();
    const parent = await store.create({ policies: ['a'] }, root.entry);
    const batch = await store.create({ type: 'batch', policies: ['a'] }, parent.entry);
    assert.match(batch.id, /^hvb\./);
    assert.equal(batch.entry.accessor, '');
    assert.equal(batch.entry.renewable, false);
    await assert.rejects(store.create({}, batch.entry), /batch tokens cannot create/);
    await assert.rejects(store.renew(batch.entry), /cannot be renewed/);
    await assert.rejects(
      store.create({ type: 'batch', numUses: 2, policies: ['a'] }, root.entry),
      /num_uses/,
    );
    await assert.rejects(store.create({ type: 'batch' }, root.entry), /root/);
    assert.ok(await store.lookup(batch.id));
    await store.revokeTree(parent.entry);
    assert.equal(await store.lookup(batch.id), undefined);
  });

  it('refuses children of a revoked parent, duplicate ids, negative numbers and bad CIDRs', async () => {
    const { store, root } = await storeHarness();
    const a = await store.create({}, root.entry);
    await store.revokeTree(a.entry);
    await assert.rejects(store.create({}, a.entry), PermissionDeniedError);
    await store.create({ id: 'my-token' }, root.entry);
    await assert.rejects(store.create({ id: 'my-token' }, root.entry), /duplicate/);
    await assert.rejects(store.create({ numUses: -1 }, root.entry), InvalidFieldError);
    await assert.rejects(store.create({ boundCIDRs: ['10.0.0.0/33'] }, root.entry), InvalidFieldError);
  });

  it('a revoked token fails at once, even from the cache', async () => {
    const { store, root } = await storeHarness();
    const a = await store.create({}, root.entry);
    assert.ok(await store.lookup(a.id));
    assert.ok(await store.getByHash(a.entry.hash));
    await store.revokeAccessor(a.entry.accessor);
    assert.equal(await store.lookup(a.id), undefined);
    assert.equal(await store.getByHash(a.entry.hash), undefined);
    assert.equal(await store.getByHash('../salt'), undefined);
  });

  it('tidy revokes expired tokens and tokens whose parent is gone, and removes dangling index entries', async () => {
    const { store, root, clock, view } = await storeHarness();
    const short = await store.create({ ttl: 10 }, root.entry);
    const shortChild = await store.create({ ttl: 1000 }, short.entry);
    const keep = await store.create({ ttl: 1000 }, root.entry);
    const orphaned = await store.create({ ttl: 1000 }, keep.entry);
    // Simulate an interrupted revocation: the parent's entry is gone, the child and index remain.
    await view.delete(`id/${keep.entry.hash}`);
    await view.put(`accessor/${store.hash('ghost')}`, Buffer.from(JSON.stringify({ hash: 'f'.repeat(64) })));
    clock.advance(11);
    const r = await store.tidy();
    assert.equal(r.revoked, 3);
    assert.ok(r.danglingIndexEntries >= 2);
    for (const t of [short, shortChild, orphaned]) assert.equal(await store.lookup(t.id), undefined);
    assert.deepEqual(await view.list('parent/'), []);
    assert.deepEqual((await view.list('accessor/')).length, 1, 'only the root accessor is left');
    assert.deepEqual(await store.tidy(), { revoked: 0, danglingIndexEntries: 0 });
  });
});
