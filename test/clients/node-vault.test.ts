import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, it } from 'node:test';
import { type TestServer, testServer } from '../helpers/server.ts';

// node-vault is a real, widely used Vault client; it sends the LIST method for list().
const require = createRequire(import.meta.url);
const nodeVault = require('node-vault') as (opts: Record<string, unknown>) => {
  write(path: string, data: unknown): Promise<any>;
  read(path: string): Promise<any>;
  list(path: string): Promise<any>;
  delete(path: string): Promise<any>;
  health(): Promise<any>;
  status(): Promise<any>;
  mounts(): Promise<any>;
};

let t: TestServer;
before(async () => {
  t = await testServer({ rootToken: 'nv-root' });
});
after(() => t.close());

it('node-vault writes, reads, lists (LIST verb) and deletes KV v2 secrets', async () => {
  const vault = nodeVault({ apiVersion: 'v1', endpoint: t.url, token: 'nv-root' });
  await vault.write('secret/data/app/one', { data: { password: 'p1' } });
  await vault.write('secret/data/app/two', { data: { password: 'p2' } });
  const read = await vault.read('secret/data/app/one');
  assert.equal(read.data.data.password, 'p1');
  assert.equal(read.data.metadata.version, 1);
  for (let i = 0; i < 3; i++) {
    // repeated on the same keep-alive agent
    const listed = await vault.list('secret/metadata/app');
    assert.deepEqual(listed.data.keys, ['one', 'two']);
  }
  await vault.delete('secret/metadata/app/two');
  assert.deepEqual((await vault.list('secret/metadata/app')).data.keys, ['one']);
  const health = await vault.health();
  assert.equal(health.sealed, false);
  const status = await vault.status();
  assert.equal(status.type, 'shamir');
  await assert.rejects(vault.read('secret/data/missing'), (err: { response?: { statusCode: number } }) => {
    assert.equal(err.response?.statusCode, 404);
    return true;
  });
});
