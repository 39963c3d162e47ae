import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Coffer } from './index.ts';
import { envelope, type RecordingServer, startRecordingServer } from './testing/recording-server.ts';

let srv: RecordingServer;
let client: Coffer;

before(async () => {
  srv = await startRecordingServer();
});
after(() => srv.close());
beforeEach(() => {
  srv.reset();
  client = new Coffer({ address: srv.address, token: 'root' });
});

const auth = {
  client_token: 's.new',
  accessor: 'acc1',
  policies: ['default', 'dev'],
  token_policies: ['default', 'dev'],
  metadata: null,
  lease_duration: 3600,
  renewable: true,
};
const sent = () => srv.seen.map((s) => [s.method, s.path, s.body]);

describe('tokens', () => {
  test('create, createOrphan, createWithRole post the request and return the auth block', async () => {
    srv.on('POST /v1/auth/token/*', { status: 200, body: envelope(null, { auth }) });
    const created = await client.tokens.create({ policies: ['dev'], ttl: '1h', meta: { a: 'b' } });
    assert.equal(created.auth?.client_token, 's.new');
    await client.tokens.createOrphan({ no_default_policy: true });
    await client.tokens.createWithRole('ci', { num_uses: 3 });
    assert.deepEqual(sent(), [
      ['POST', '/v1/auth/token/create', { policies: ['dev'], ttl: '1h', meta: { a: 'b' } }],
      ['POST', '/v1/auth/token/create-orphan', { no_default_policy: true }],
      ['POST', '/v1/auth/token/create/ci', { num_uses: 3 }],
    ]);
  });

  test('create with wrapTTL sends X-Vault-Wrap-TTL and returns wrap_info', async () => {
    const wrap_info = { token: 'w', accessor: 'wa', ttl: 300, creation_time: 't', creation_path: 'p' };
    srv.on('POST /v1/auth/token/create', { status: 200, body: envelope(null, { wrap_info }) });
    const res = await client.tokens.create({}, { wrapTTL: '5m' });
    assert.equal(res.wrap_info?.token, 'w');
    assert.equal(res.auth, null);
    assert.equal(srv.seen[0]!.headers['x-vault-wrap-ttl'], '5m');
  });

  test('lookup: self without a token, token in the body, by accessor', async () => {
    srv.on('GET /v1/auth/token/lookup-self', {
      status: 200,
      body: envelope({ id: 'root', policies: ['root'] }),
    });
    srv.on('POST /v1/auth/token/lookup', { status: 200, body: envelope({ id: 'other' }) });
    srv.on('POST /v1/auth/token/lookup-accessor', { status: 200, body: envelope({ accessor: 'a' }) });
    assert.equal((await client.tokens.lookup()).data?.id, 'root');
    assert.equal((await client.tokens.lookupSelf()).data?.id, 'root');
    assert.equal((await client.tokens.lookup('other')).data?.id, 'other');
    assert.equal((await client.tokens.lookupAccessor('a')).data?.accessor, 'a');
    assert.deepEqual(sent(), [
      ['GET', '/v1/auth/token/lookup-self', undefined],
      ['GET', '/v1/auth/token/lookup-self', undefined],
      ['POST', '/v1/auth/token/lookup', { token: 'other' }],
      ['POST', '/v1/auth/token/lookup-accessor', { accessor: 'a' }],
    ]);
  });

  test('renew, renewSelf, renewAccessor with and without increment', async () => {
    srv.on('POST /v1/auth/token/*', { status: 200, body: envelope(null, { auth }) });
    assert.equal((await client.tokens.renew('t1', '1h')).auth?.lease_duration, 3600);
    await client.tokens.renewSelf();
    await client.tokens.renewAccessor('a1', 60);
    assert.deepEqual(sent(), [
      ['POST', '/v1/auth/token/renew', { token: 't1', increment: '1h' }],
      ['POST', '/v1/auth/token/renew-self', {}],
      ['POST', '/v1/auth/token/renew-accessor', { accessor: 'a1', increment: 60 }],
    ]);
  });

  test('revoke, revokeSelf, revokeAccessor, revokeOrphan', async () => {
    srv.on('POST /v1/auth/token/*', { status: 204 });
    await client.tokens.revoke('t1');
    await client.tokens.revokeSelf();
    await client.tokens.revokeAccessor('a1');
    await client.tokens.revokeOrphan('t2');
    assert.deepEqual(sent(), [
      ['POST', '/v1/auth/token/revoke', { token: 't1' }],
      ['POST', '/v1/auth/token/revoke-self', undefined],
      ['POST', '/v1/auth/token/revoke-accessor', { accessor: 'a1' }],
      ['POST', '/v1/auth/token/revoke-orphan', { token: 't2' }],
    ]);
  });

  test('capabilities of a token, of the caller, by accessor', async () => {
    const caps = { 'secret/x': ['read', 'list'], capabilities: ['read', 'list'] };
    srv.on('POST /v1/sys/capabilities', { status: 200, body: { ...caps, ...envelope(caps) } });
    srv.on('POST /v1/sys/capabilities-self', { status: 200, body: envelope({ capabilities: ['deny'] }) });
    srv.on('POST /v1/sys/capabilities-accessor', { status: 200, body: { 'secret/x': ['root'] } });
    assert.deepEqual(await client.tokens.capabilities('secret/x', 't1'), ['read', 'list']);
    assert.deepEqual(await client.tokens.capabilities('secret/x'), ['deny']);
    assert.deepEqual(await client.tokens.capabilitiesAccessor('secret/x', 'a1'), ['root']);
    assert.deepEqual(sent(), [
      ['POST', '/v1/sys/capabilities', { token: 't1', paths: ['secret/x'] }],
      ['POST', '/v1/sys/capabilities-self', { paths: ['secret/x'] }],
      ['POST', '/v1/sys/capabilities-accessor', { accessor: 'a1', paths: ['secret/x'] }],
    ]);
  });
});

describe('policies', () => {
  test('list, read, write, delete; read of a missing policy is null', async () => {
    srv.on('GET /v1/sys/policies/acl', { status: 200, body: envelope({ keys: ['default', 'root'] }) });
    srv.on('GET /v1/sys/policies/acl/dev', {
      status: 200,
      body: envelope({ name: 'dev', policy: 'path "a" {}' }),
    });
    srv.on('POST /v1/sys/policies/acl/dev', { status: 204 });
    srv.on('DELETE /v1/sys/policies/acl/dev', { status: 204 });
    assert.deepEqual(await client.policies.list(), ['default', 'root']);
    assert.deepEqual(srv.seen[0]!.query, { list: 'true' });
    assert.deepEqual(await client.policies.read('dev'), { name: 'dev', policy: 'path "a" {}' });
    assert.equal(await client.policies.read('nope'), null);
    await client.policies.write('dev', 'path "b" {}');
    await client.policies.delete('dev');
    assert.deepEqual(srv.seen[3]!.body, { policy: 'path "b" {}' });
    assert.equal(srv.seen[4]!.method, 'DELETE');
  });
});

describe('auth methods and audit devices', () => {
  test('auth list, enable, disable, tune, readTune', async () => {
    const up = { type: 'userpass', description: '', accessor: 'auth_userpass_1', config: {}, options: null };
    srv.on('GET /v1/sys/auth', { status: 200, body: { ...envelope({ 'userpass/': up }), 'userpass/': up } });
    srv.on('POST /v1/sys/auth/*', { status: 204 });
    srv.on('DELETE /v1/sys/auth/people', { status: 204 });
    srv.on('GET /v1/sys/auth/people/tune', {
      status: 200,
      body: envelope({ default_lease_ttl: 60, max_lease_ttl: 120, force_no_cache: false }),
    });
    assert.deepEqual(Object.keys(await client.auth.list()), ['userpass/']);
    await client.auth.enable('people/', { type: 'userpass', description: 'humans' });
    await client.auth.tune('people', { default_lease_ttl: '1h' });
    assert.equal((await client.auth.readTune('people')).max_lease_ttl, 120);
    await client.auth.disable('people');
    assert.deepEqual(sent().slice(1), [
      ['POST', '/v1/sys/auth/people', { type: 'userpass', description: 'humans' }],
      ['POST', '/v1/sys/auth/people/tune', { default_lease_ttl: '1h' }],
      ['GET', '/v1/sys/auth/people/tune', undefined],
      ['DELETE', '/v1/sys/auth/people', undefined],
    ]);
  });

  test('audit list, enable, disable, hash', async () => {
    const file = { type: 'file', description: '', options: { file_path: '/l' }, local: false, path: 'file/' };
    srv.on('GET /v1/sys/audit', { status: 200, body: { ...envelope({ 'file/': file }), 'file/': file } });
    srv.on('POST /v1/sys/audit/file', { status: 204 });
    srv.on('DELETE /v1/sys/audit/file', { status: 204 });
    srv.on('POST /v1/sys/audit-hash/file', { status: 200, body: envelope({ hash: 'hmac-sha256:ab' }) });
    assert.deepEqual(await client.audit.list(), { 'file/': file });
    await client.audit.enable('file', { type: 'file', options: { file_path: '/l' } });
    await client.audit.disable('file/');
    assert.equal(await client.audit.hash('file', 'secret'), 'hmac-sha256:ab');
    assert.deepEqual(sent().slice(1), [
      ['POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: '/l' } }],
      ['DELETE', '/v1/sys/audit/file', undefined],
      ['POST', '/v1/sys/audit-hash/file', { input: 'secret' }],
    ]);
  });
});

describe('login', () => {
  test('userpass and approle return the auth block', async () => {
    srv.on('POST /v1/auth/people/login/alice', { status: 200, body: envelope(null, { auth }) });
    srv.on('POST /v1/auth/approle/login', { status: 200, body: envelope(null, { auth }) });
    assert.deepEqual(await client.login.userpass('people', 'alice', 'pw'), auth);
    assert.deepEqual(await client.login.approle('approle', 'r1', 's1'), auth);
    assert.deepEqual(sent(), [
      ['POST', '/v1/auth/people/login/alice', { password: 'pw' }],
      ['POST', '/v1/auth/approle/login', { role_id: 'r1', secret_id: 's1' }],
    ]);
  });

  test('a response without auth is an error; a 400 is thrown as is', async () => {
    srv.on('POST /v1/auth/userpass/login/bob', { status: 200, body: envelope({}) });
    await assert.rejects(client.login.userpass('userpass', 'bob', 'pw'), /no authentication information/);
    srv.on('POST /v1/auth/userpass/login/bob', {
      status: 400,
      body: { errors: ['invalid username or password'] },
    });
    await assert.rejects(client.login.userpass('userpass', 'bob', 'pw'), /invalid username or password/);
  });
});

describe('wrapping', () => {
  const wrap_info = {
    token: 'w2',
    accessor: 'wa',
    ttl: 300,
    creation_time: 't',
    creation_path: 'sys/wrapping/wrap',
  };

  test('unwrap: a given token in the body, the own token without one', async () => {
    srv.on('POST /v1/sys/wrapping/unwrap', { status: 200, body: envelope({ foo: 'bar' }) });
    assert.deepEqual((await client.wrapping.unwrap('w1'))?.data, { foo: 'bar' });
    assert.deepEqual((await client.wrapping.unwrap())?.data, { foo: 'bar' });
    assert.deepEqual(srv.seen[0]!.body, { token: 'w1' });
    assert.equal(srv.seen[0]!.headers['x-vault-token'], 'root');
    assert.equal(srv.seen[1]!.body, undefined);
  });

  test('unwrap without a client token authenticates with the wrapping token; 204 is null', async () => {
    srv.on('POST /v1/sys/wrapping/unwrap', { status: 204 });
    const anonymous = new Coffer({ address: srv.address });
    assert.equal(await anonymous.wrapping.unwrap('w1'), null);
    assert.equal(srv.seen[0]!.headers['x-vault-token'], 'w1');
    assert.equal(srv.seen[0]!.body, undefined);
  });

  test('lookup, rewrap, wrap', async () => {
    srv.on('POST /v1/sys/wrapping/lookup', {
      status: 200,
      body: envelope({ creation_path: 'p', creation_time: 't', creation_ttl: 300 }),
    });
    srv.on('POST /v1/sys/wrapping/rewrap', { status: 200, body: envelope(null, { wrap_info }) });
    srv.on('POST /v1/sys/wrapping/wrap', { status: 200, body: envelope(null, { wrap_info }) });
    assert.equal((await client.wrapping.lookup('w1')).creation_ttl, 300);
    assert.equal((await client.wrapping.rewrap('w1')).token, 'w2');
    assert.equal((await client.wrapping.wrap({ a: 1 }, '10m')).token, 'w2');
    assert.deepEqual(srv.seen[2]!.body, { a: 1 });
    assert.equal(srv.seen[2]!.headers['x-vault-wrap-ttl'], '10m');
    assert.equal((await client.wrapping.wrap({ a: 1 })).token, 'w2');
    assert.equal(srv.seen[3]!.headers['x-vault-wrap-ttl'], '5m');
  });

  test('a client wrapTTL wraps every request except the mount lookup and unwrap', async () => {
    const wrapping = new Coffer({ address: srv.address, token: 'root', wrapTTL: '2m' });
    srv.on('GET /v1/secret/x', { status: 200, body: envelope(null, { wrap_info }) });
    srv.on('GET /v1/sys/internal/ui/mounts/secret/x', {
      status: 200,
      body: envelope({ path: 'secret/', type: 'kv', options: null }),
    });
    srv.on('POST /v1/sys/wrapping/unwrap', { status: 200, body: envelope({}) });
    assert.equal((await wrapping.read('secret/x'))?.wrap_info?.token, 'w2');
    await wrapping.kvMount('secret/x');
    await wrapping.wrapping.unwrap('w2');
    await wrapping.request('GET', 'secret/x', { wrapTTL: '' });
    assert.deepEqual(
      srv.seen.map((s) => s.headers['x-vault-wrap-ttl']),
      ['2m', undefined, undefined, undefined],
    );
  });
});
