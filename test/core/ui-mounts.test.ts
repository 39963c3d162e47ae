import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PermissionDeniedError } from '../../src/sdk/errors.ts';
import { testCore } from '../helpers/core.ts';

it('sys/internal/ui/mounts shows a token only the mounts its policies reach', async () => {
  const t = await testCore();
  await t.request('update', 'sys/mounts/hidden', { type: 'kv' });
  await t.request('update', 'sys/policies/acl/app', {
    policy: 'path "secret/data/app/*" { capabilities = ["read"] }',
  });
  const created = await t.request('update', 'auth/token/create', { policies: ['app'] });
  const token = (created.envelope!.auth as { client_token: string }).client_token;
  const asApp = { clientToken: token };
  const list = await t.request('read', 'sys/internal/ui/mounts', {}, asApp);
  const seen = Object.keys(list.data?.secret as object);
  assert.ok(seen.includes('secret/') && !seen.includes('hidden/'), seen.join(','));
  const one = await t.request('read', 'sys/internal/ui/mounts/secret/app/db', {}, asApp);
  assert.equal(one.data?.path, 'secret/');
  await assert.rejects(
    t.request('read', 'sys/internal/ui/mounts/hidden/x', {}, asApp),
    PermissionDeniedError,
  );
  const anonymous = await t.request('read', 'sys/internal/ui/mounts', {}, { clientToken: '' });
  assert.deepEqual(anonymous.data?.secret, {});
  const root = await t.request('read', 'sys/internal/ui/mounts', {});
  assert.ok(Object.keys(root.data?.secret as object).includes('hidden/'));
  await t.core.close();
});
