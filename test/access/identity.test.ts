/**
 * Done when: logging in twice through userpass gives one entity; a policy attached to the entity's
 * group takes effect on its existing tokens at once and is lost when removed; `disabled=true` on
 * the entity makes its tokens fail.
 *
 * Tier 3: a real listener (dev mode), plain fetch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redact } from '../helpers/redact.ts';
import { type TestServer, testServer } from '../helpers/server.ts';
import { type Api, expectStatus, makeApi, writeKv2, writePolicy } from './helpers.ts';

describe('access: identity entities and groups', () => {
  let srv: TestServer;
  let api: Api;
  let root: string;
  const login = (user: string, password: string) =>
    api('POST', `auth/userpass/login/${user}`, { body: { password } });

  before(async () => {
    srv = await testServer();
    api = makeApi(srv.url);
    root = srv.rootToken;
    expectStatus(
      await api('POST', 'sys/auth/userpass', { token: root, body: { type: 'userpass' } }),
      204,
      'enable userpass',
    );
    expectStatus(
      await api('POST', 'auth/userpass/users/alice', { token: root, body: { password: 'alice-pw' } }),
      204,
      'create alice',
    );
    await writePolicy(api, root, 'team-read', 'path "secret/data/team/*" {\n  capabilities = ["read"]\n}\n');
    expectStatus(await writeKv2(api, root, { path: 'team/plan' }, { v: 'the plan' }), 200, 'write team/plan');
  });
  after(async () => srv?.close());

  it('two logins give one entity; group policies apply to existing tokens at once; disabling the entity kills its tokens', async () => {
    const a = await login('alice', 'alice-pw');
    const b = await login('alice', 'alice-pw');
    expectStatus(a, 200, 'first login');
    expectStatus(b, 200, 'second login');
    const entityId: string = a.json.auth.entity_id;
    assert.equal(typeof entityId, 'string');
    assert.ok(entityId.length > 0, 'login gives an entity_id');
    assert.equal(b.json.auth.entity_id, entityId, 'the second login resolves to the same entity');
    const tokenA: string = a.json.auth.client_token;
    const tokenB: string = b.json.auth.client_token;
    assert.notEqual(tokenA, tokenB);

    const entity = await api('GET', `identity/entity/id/${entityId}`, { token: root });
    expectStatus(entity, 200, 'read the entity');
    assert.equal(entity.json.data.id, entityId);
    assert.equal(entity.json.data.aliases.length, 1, 'one alias for alice on userpass');
    assert.equal(entity.json.data.aliases[0].name, 'alice');
    const lookup = await api('GET', 'auth/token/lookup-self', { token: tokenA });
    expectStatus(lookup, 200, 'lookup-self');
    assert.equal(lookup.json.data.entity_id, entityId);

    const readPlan = (t: string) => api('GET', 'secret/data/team/plan', { token: t });
    expectStatus(await readPlan(tokenA), 403, 'before the group');

    const group = await api('POST', 'identity/group', {
      token: root,
      body: { name: 'team', policies: ['team-read'], member_entity_ids: [entityId] },
    });
    expectStatus(group, 200, 'create group team');
    const groupId: string = group.json.data.id;
    assert.equal(typeof groupId, 'string');

    // The tokens were issued before the group existed: the policy applies to them at once.
    for (const [name, t] of [
      ['first token', tokenA],
      ['second token', tokenB],
    ] as const) {
      const r = await readPlan(t);
      expectStatus(r, 200, `${name} with the group policy`);
      assert.deepEqual(r.json.data.data, { v: 'the plan' });
    }
    const withGroup = await api('GET', 'auth/token/lookup-self', { token: tokenA });
    assert.ok(withGroup.json.data.identity_policies.includes('team-read'), withGroup.text);

    const upd = await api('POST', `identity/group/id/${groupId}`, { token: root, body: { policies: [] } });
    assert.ok(upd.status === 204 || upd.status === 200, `update group: ${upd.status} ${redact(upd.text)}`);
    expectStatus(await readPlan(tokenA), 403, 'after the group lost the policy');

    // Give it back, then disable the entity: its tokens fail even though the policy allows the read.
    const back = await api('POST', `identity/group/id/${groupId}`, {
      token: root,
      body: { policies: ['team-read'] },
    });
    assert.ok(
      back.status === 204 || back.status === 200,
      `update group: ${back.status} ${redact(back.text)}`,
    );
    expectStatus(await readPlan(tokenA), 200, 'policy restored');

    const dis = await api('POST', `identity/entity/id/${entityId}`, {
      token: root,
      body: { disabled: true },
    });
    assert.ok(dis.status === 204 || dis.status === 200, `disable entity: ${dis.status} ${redact(dis.text)}`);
    expectStatus(await readPlan(tokenA), 403, 'first token of the disabled entity');
    expectStatus(await readPlan(tokenB), 403, 'second token of the disabled entity');
    expectStatus(
      await api('GET', 'auth/token/lookup-self', { token: tokenA }),
      403,
      'lookup-self of the disabled entity',
    );
  });
});
