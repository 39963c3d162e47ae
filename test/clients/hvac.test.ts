import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import { type TestServer, testServer } from '../helpers/server.ts';

// hvac (Python) from Debian's python3-hvac, installed by .ci/run; it sends LIST for list calls.
const PY = '/usr/bin/python3';
const run = promisify(execFile);

const script = `
import hvac, json, sys
c = hvac.Client(url=sys.argv[1], token=sys.argv[2])
kv = c.secrets.kv.v2
kv.create_or_update_secret(path='svc/a', secret={'k': 'v1'})
kv.create_or_update_secret(path='svc/a', secret={'k': 'v2'}, cas=1)
kv.create_or_update_secret(path='svc/b', secret={'k': 'b'})
out = {}
out['read'] = kv.read_secret_version(path='svc/a')['data']
out['v1'] = kv.read_secret_version(path='svc/a', version=1)['data']['data']
out['list'] = kv.list_secrets(path='svc')['data']['keys']
out['list2'] = kv.list_secrets(path='svc')['data']['keys']
kv.delete_latest_version_of_secret(path='svc/a')
kv.undelete_secret_versions(path='svc/a', versions=[2])
kv.destroy_secret_versions(path='svc/a', versions=[1])
out['meta'] = kv.read_secret_metadata(path='svc/a')['data']['versions']
out['sealed'] = c.sys.is_sealed()
out['init'] = c.sys.is_initialized()
print(json.dumps(out))
`;

let t: TestServer;
before(async () => {
  t = await testServer({ rootToken: 'hvac-root' });
});
after(() => t.close());

it('hvac drives KV v2 (incl. LIST) against Coffer', {
  skip: !existsSync(PY) && 'no /usr/bin/python3',
}, async () => {
  const { stdout } = await run(PY, ['-c', script, t.url, 'hvac-root']);
  const out = JSON.parse(stdout);
  assert.deepEqual(out.read.data, { k: 'v2' });
  assert.equal(out.read.metadata.version, 2);
  assert.deepEqual(out.v1, { k: 'v1' });
  assert.deepEqual(out.list, ['a', 'b']);
  assert.deepEqual(out.list2, ['a', 'b']);
  assert.equal(out.meta['1'].destroyed, true);
  assert.equal(out.meta['2'].deletion_time, '');
  assert.equal(out.sealed, false);
  assert.equal(out.init, true);
});
