/**
 * Done when: expired, revoked and use-exhausted tokens get 403, also after a server restart that
 * spanned their expiry.
 *
 * Tier 5: a real `coffer server -config` process on sqlite, initialized and unsealed over HTTP,
 * stopped, restarted on the same file after the short-TTL token's expiry, unsealed again.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type ServerProcess, startServerProcess, tempDir } from '../helpers/process.ts';
import {
  type Api,
  createToken,
  expectStatus,
  initAndUnseal,
  makeApi,
  mountKv,
  sleep,
  unseal,
  writeKv2,
  writePolicy,
} from './helpers.ts';

describe('access: dead tokens stay dead across a restart', () => {
  const tmp = tempDir('coffer-access-restart-');
  const configHCL = `storage "sqlite" {\n  path = "${join(tmp.dir, 'coffer.db')}"\n}\n`;
  let server: ServerProcess | undefined;
  let api: Api;

  const start = async () => {
    server = await startServerProcess({ configHCL, dir: tmp.dir });
    api = makeApi(server.url);
  };
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('expired (across the downtime), revoked and use-exhausted tokens get 403; a live one works', async () => {
    await start();
    const { rootToken: root, key } = await initAndUnseal(api);
    await mountKv(api, root, 'secret', '2');
    await writePolicy(api, root, 'app-read', 'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\n');
    expectStatus(await writeKv2(api, root, { path: 'app/s' }, { v: 'restart' }), 200, 'write app/s');

    const expiring = await createToken(api, root, { policies: ['app-read'], ttl: '3s' });
    const expiresAt = Date.now() + 3000;
    const revoked = await createToken(api, root, { policies: ['app-read'], ttl: '1h' });
    const oneUse = await createToken(api, root, { policies: ['app-read'], num_uses: 1, ttl: '1h' });
    const live = await createToken(api, root, { policies: ['app-read'], ttl: '1h' });

    const lookupSelf = (token: string) => api('GET', 'auth/token/lookup-self', { token });
    const readSecret = (token: string) => api('GET', 'secret/data/app/s', { token });

    // Before: the short-TTL token works, the one-use token is used once, one token is revoked.
    const l = await lookupSelf(expiring);
    expectStatus(l, 200, 'expiring token before expiry');
    assert.ok(l.json.data.ttl > 0 && l.json.data.ttl <= 3, `ttl ${l.json.data.ttl}`);
    expectStatus(await readSecret(oneUse), 200, 'the one use');
    expectStatus(await readSecret(oneUse), 403, 'the second use');
    expectStatus(
      await api('POST', 'auth/token/revoke', { token: root, body: { token: revoked } }),
      204,
      'revoke',
    );
    expectStatus(await readSecret(revoked), 403, 'revoked token before restart');

    assert.ok(Date.now() < expiresAt, 'setup finished before the expiry, so the restart spans it');
    await server!.stop('SIGTERM');
    server = undefined;
    await sleep(Math.max(0, expiresAt - Date.now()) + 1500);

    await start();
    const sealed = await api('GET', 'sys/seal-status');
    assert.equal(sealed.json.sealed, true, 'sealed after restart');
    await unseal(api, key);

    for (const [name, token] of [
      ['expired', expiring],
      ['revoked', revoked],
      ['use-exhausted', oneUse],
    ] as const) {
      const ls = await lookupSelf(token);
      expectStatus(ls, 403, `${name}: lookup-self after restart`);
      assert.equal(ls.text, '{"errors":["permission denied"]}');
      expectStatus(await readSecret(token), 403, `${name}: KV read after restart`);
    }
    const ok = await readSecret(live);
    expectStatus(ok, 200, 'the long-TTL token after restart');
    assert.deepEqual(ok.json.data.data, { v: 'restart' });
    expectStatus(await lookupSelf(live), 200, 'the long-TTL token lookup-self');
    expectStatus(await readSecret(root), 200, 'root after restart');
  });
});
