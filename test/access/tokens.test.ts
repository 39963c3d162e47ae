/**
 * Done when: revoking a parent revokes a 10,000-deep chain of children and a 10,000-wide fan-out,
 * in seconds, without a stack overflow; `revoke-orphan` keeps the children. A `num_uses=1` token
 * used by 20 concurrent requests succeeds exactly once; a wrapped response unwrapped by 20
 * concurrent requests is returned exactly once.
 *
 * Tier 3: a real listener (dev mode), plain fetch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redact } from '../helpers/redact.ts';
import { type TestServer, testServer } from '../helpers/server.ts';
import {
  type Api,
  type ApiResult,
  createToken,
  expectStatus,
  makeApi,
  statusCounts,
  writeKv2,
  writePolicy,
} from './helpers.ts';

const N = 10_000;
const REVOKE_BUDGET_MS = 10_000;

/** `count` distinct random indices in [0, n). */
function sample(n: number, count: number): number[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, n)) picked.add(Math.floor(Math.random() * n));
  return [...picked];
}

describe('access: token trees, use counts and response wrapping', () => {
  let srv: TestServer;
  let api: Api;
  let root: string;
  const lookupSelf = (token: string) => api('GET', 'auth/token/lookup-self', { token });

  before(async () => {
    srv = await testServer();
    api = makeApi(srv.url);
    root = srv.rootToken;
    // Non-root tokens need auth/token/create to make children; children inherit this policy.
    await writePolicy(
      api,
      root,
      'creator',
      'path "auth/token/create" {\n  capabilities = ["create", "update"]\n}\n',
    );
    await writePolicy(api, root, 'nu-read', 'path "secret/data/nu/*" {\n  capabilities = ["read"]\n}\n');
  });
  after(async () => srv?.close());

  it(`revoking a parent revokes a ${N}-deep chain of children`, async () => {
    const top = await createToken(api, root, { policies: ['creator'] });
    const chain: string[] = [];
    let parent = top;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      parent = await createToken(api, parent, {});
      chain.push(parent);
    }
    const built = performance.now() - t0;
    console.log(`# chain: created ${N} nested tokens in ${(built / 1000).toFixed(2)} s`);

    // Sanity: the deepest child is alive and really descends from its parent.
    const deepest = await lookupSelf(chain[N - 1]!);
    expectStatus(deepest, 200, 'deepest child before revoke');
    assert.equal(deepest.json.data.orphan, false);

    const t1 = performance.now();
    const rev = await api('POST', 'auth/token/revoke', { token: root, body: { token: top } });
    const revokeMs = performance.now() - t1;
    console.log(`# chain: auth/token/revoke of the top took ${revokeMs.toFixed(0)} ms`);
    expectStatus(rev, 204, 'auth/token/revoke (chain)');
    assert.ok(revokeMs < REVOKE_BUDGET_MS, `revoke took ${revokeMs} ms`);

    expectStatus(await api('GET', 'sys/health'), 200, 'server still alive after revoking the chain');
    expectStatus(await lookupSelf(top), 403, 'the top');
    for (const i of [0, 1, N / 2, N - 2, N - 1, ...sample(N, 50)]) {
      expectStatus(await lookupSelf(chain[i]!), 403, `chain[${i}] after revoke`);
    }
  });

  it(`revoking a parent revokes a ${N}-wide fan-out`, async () => {
    const parent = await createToken(api, root, { policies: ['creator'] });
    const children: string[] = new Array(N);
    const t0 = performance.now();
    const BATCH = 50;
    for (let i = 0; i < N; i += BATCH) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(BATCH, N - i) }, () => createToken(api, parent, {})),
      );
      for (let j = 0; j < batch.length; j++) children[i + j] = batch[j]!;
    }
    console.log(
      `# fan-out: created ${N} children of one parent in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
    );
    expectStatus(await lookupSelf(children[N - 1]!), 200, 'a child before revoke');

    const t1 = performance.now();
    const rev = await api('POST', 'auth/token/revoke', { token: root, body: { token: parent } });
    const revokeMs = performance.now() - t1;
    console.log(`# fan-out: auth/token/revoke of the parent took ${revokeMs.toFixed(0)} ms`);
    expectStatus(rev, 204, 'auth/token/revoke (fan-out)');
    assert.ok(revokeMs < REVOKE_BUDGET_MS, `revoke took ${revokeMs} ms`);

    expectStatus(await lookupSelf(parent), 403, 'the parent');
    for (const i of [0, N - 1, ...sample(N, 50)]) {
      expectStatus(await lookupSelf(children[i]!), 403, `child[${i}] after revoke`);
    }
  });

  it('revoke-orphan revokes the parent but keeps its children (now orphans)', async () => {
    const parent = await createToken(api, root, { policies: ['creator'] });
    const child = await createToken(api, parent, {});
    const grandchild = await createToken(api, child, {});
    const sibling = await createToken(api, parent, {});

    const r = await api('POST', 'auth/token/revoke-orphan', { token: root, body: { token: parent } });
    expectStatus(r, 204, 'auth/token/revoke-orphan');
    expectStatus(await lookupSelf(parent), 403, 'the parent after revoke-orphan');
    for (const [name, t] of [
      ['child', child],
      ['sibling', sibling],
    ] as const) {
      const l = await lookupSelf(t);
      expectStatus(l, 200, `${name} after revoke-orphan`);
      assert.equal(l.json.data.orphan, true, `${name} is an orphan now`);
    }
    const g = await lookupSelf(grandchild);
    expectStatus(g, 200, 'grandchild after revoke-orphan');
    assert.equal(g.json.data.orphan, false, 'the grandchild still has its parent');

    // The tree below the former child is still a tree: revoking it takes the grandchild along.
    expectStatus(
      await api('POST', 'auth/token/revoke', { token: root, body: { token: child } }),
      204,
      'revoke the child',
    );
    expectStatus(await lookupSelf(grandchild), 403, 'grandchild after its parent is revoked');
    expectStatus(await lookupSelf(sibling), 200, 'the sibling is untouched');
  });

  it('a num_uses=1 token used by 20 concurrent requests succeeds exactly once', async () => {
    expectStatus(await writeKv2(api, root, { path: 'nu/s' }, { v: 'once' }), 200, 'write nu/s');
    const t = await createToken(api, root, { policies: ['nu-read'], num_uses: 1 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => api('GET', 'secret/data/nu/s', { token: t })),
    );
    assert.deepEqual(statusCounts(results), { 200: 1, 403: 19 }, 'exactly one success');
    const ok = results.find((r) => r.status === 200)!;
    assert.deepEqual(ok.json.data.data, { v: 'once' });
    expectStatus(await lookupSelf(t), 403, 'the exhausted token');
  });

  it('a wrapped response unwrapped by 20 concurrent requests is returned exactly once', async () => {
    expectStatus(await writeKv2(api, root, { path: 'wrapme' }, { v: 'wrapped-value' }), 200, 'write wrapme');
    const wrapped = await api('GET', 'secret/data/wrapme', {
      token: root,
      headers: { 'X-Vault-Wrap-TTL': '60' },
    });
    expectStatus(wrapped, 200, 'wrapped read');
    assert.equal(wrapped.json.data, null, `wrapped response carries no data: ${redact(wrapped.text)}`);
    assert.ok(!wrapped.text.includes('wrapped-value'), 'the secret is not in the wrapped response');
    const info = wrapped.json.wrap_info;
    assert.equal(typeof info?.token, 'string', wrapped.text);
    assert.equal(info.ttl, 60);
    assert.equal(info.creation_path, 'secret/data/wrapme');
    assert.equal(typeof info.accessor, 'string');
    assert.equal(typeof info.creation_time, 'string');

    const lookup = await api('POST', 'sys/wrapping/lookup', { token: root, body: { token: info.token } });
    expectStatus(lookup, 200, 'sys/wrapping/lookup');
    assert.equal(lookup.json.data.creation_path, 'secret/data/wrapme');

    const results: ApiResult[] = await Promise.all(
      Array.from({ length: 20 }, () =>
        api('POST', 'sys/wrapping/unwrap', { token: root, body: { token: info.token } }),
      ),
    );
    assert.deepEqual(statusCounts(results), { 200: 1, 400: 19 }, 'exactly one unwrap');
    const ok = results.find((r) => r.status === 200)!;
    assert.deepEqual(ok.json.data.data, { v: 'wrapped-value' });
    assert.equal(ok.json.data.metadata.version, 1);
    for (const r of results.filter((x) => x.status === 400)) {
      assert.ok(!r.text.includes('wrapped-value'), 'a failed unwrap leaks nothing');
    }
    expectStatus(
      await api('POST', 'sys/wrapping/unwrap', { token: root, body: { token: info.token } }),
      400,
      'a later unwrap',
    );
  });

  it('20 concurrent unwraps presenting the wrapping token as X-Vault-Token: exactly one succeeds', async () => {
    expectStatus(
      await writeKv2(api, root, { path: 'wrapme2' }, { v: 'second-wrapped' }),
      200,
      'write wrapme2',
    );
    const wrapped = await api('GET', 'secret/data/wrapme2', {
      token: root,
      headers: { 'X-Vault-Wrap-TTL': '60s' },
    });
    expectStatus(wrapped, 200, 'wrapped read');
    const wrapToken: string = wrapped.json.wrap_info.token;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => api('POST', 'sys/wrapping/unwrap', { token: wrapToken })),
    );
    assert.deepEqual(statusCounts(results), { 200: 1, 400: 19 }, 'exactly one unwrap');
    assert.deepEqual(results.find((r) => r.status === 200)!.json.data.data, { v: 'second-wrapped' });
  });
});
