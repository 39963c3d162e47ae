import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import {
  BadRequestError,
  InvalidCredentialsError,
  InvalidFieldError,
  NotFoundError,
  PermissionDeniedError,
} from '../../sdk/index.ts';
import { authHarness } from '../shared/test-helper.ts';
import { createUserpassFactory, PasswordHasher, type UserEntry } from './index.ts';

/** Cheap Argon2id for tests (the default costs ~20–50 ms a hash). */
const FAST = { memory: 1024, passes: 1 };
const harness = () => authHarness(createUserpassFactory({ argon2: FAST }), 'userpass');

describe('userpass users', () => {
  it('creates, reads, lists, updates and deletes users; never shows the password', async () => {
    const up = await harness();
    await up.write('users/Alice', { password: 'pw-1', token_policies: 'dev,ops', token_ttl: '1h' });
    const read = await up.call('read', 'users/alice');
    assert.equal(read.data?.password, undefined);
    assert.deepEqual(read.data, {
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 0,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['dev', 'ops'],
      token_ttl: 3600,
      token_type: 'default',
    });
    await up.write('users/bob', { password: 'pw-2', policies: ['legacy'] });
    assert.deepEqual((await up.call('read', 'users/bob')).data?.policies, ['legacy']);
    assert.deepEqual(await up.call('list', 'users'), { data: { keys: ['alice', 'bob'] } });

    await up.write('users/alice', { token_max_ttl: 7200 });
    const after = (await up.call('read', 'users/alice')).data!;
    assert.equal(after.token_ttl, 3600, 'fields not sent keep their value');
    assert.equal(after.token_max_ttl, 7200);
    await up.call('update', 'login/alice', { password: 'pw-1' });

    await up.call('delete', 'users/alice');
    await assert.rejects(up.call('read', 'users/alice'), NotFoundError);
    await up.call('delete', 'users/bob');
    await assert.rejects(up.call('list', 'users'), NotFoundError);
  });

  it('requires a password on create and refuses bad fields', async () => {
    const up = await harness();
    await assert.rejects(up.write('users/a', { token_ttl: 10 }), /missing password/);
    await assert.rejects(up.write('users/a', { password: '' }), /missing password/);
    await assert.rejects(up.write('users/a', { password: 'x', bogus: 1 }), InvalidFieldError);
    await assert.rejects(up.write('users/a', { password: 'x', token_type: 'weird' }), InvalidFieldError);
    await assert.rejects(
      up.write('users/a', { password: 'x', token_ttl: 10, token_max_ttl: 5 }),
      BadRequestError,
    );
    await assert.rejects(up.write('users/a b', { password: 'x' }), InvalidFieldError);
  });

  it('changes the password and the policies through their own paths', async () => {
    const up = await harness();
    await assert.rejects(up.call('update', 'users/nobody/password', { password: 'x' }), /does not exist/);
    await up.write('users/carol', { password: 'old' });
    await up.call('update', 'users/carol/password', { password: 'new' });
    await assert.rejects(up.call('update', 'login/carol', { password: 'old' }), InvalidCredentialsError);
    await up.call('update', 'login/carol', { password: 'new' });
    await up.call('update', 'users/carol/policies', { token_policies: ['a', 'b'] });
    const res = await up.call('update', 'login/carol', { password: 'new' });
    assert.deepEqual(res.auth?.policies, ['a', 'b']);
  });
});

describe('userpass login', () => {
  it('answers an AuthResult for the right password', async () => {
    const up = await harness();
    await up.write('users/dave', {
      password: 's3cret',
      token_policies: 'dev',
      token_ttl: 60,
      token_max_ttl: 120,
      token_num_uses: 3,
      token_type: 'service',
    });
    const res = await up.call('update', 'login/DAVE', { password: 's3cret' });
    assert.deepEqual(res.auth, {
      policies: ['dev'],
      displayName: 'userpass-dave',
      alias: { name: 'dave', metadata: { username: 'dave' } },
      metadata: { username: 'dave' },
      internalData: { username: 'dave' },
      ttl: 60,
      maxTTL: 120,
      explicitMaxTTL: 0,
      period: 0,
      numUses: 3,
      renewable: true,
      tokenType: 'service',
      noDefaultPolicy: false,
    });
    assert.equal(res.data, undefined);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const up = await harness();
    await up.write('users/erin', { password: 'right' });
    for (const [user, pw] of [
      ['erin', 'wrong'],
      ['erin', ''],
      ['nobody', 'right'],
    ]) {
      await assert.rejects(
        up.call('update', `login/${user}`, { password: pw }),
        (e: unknown) => e instanceof InvalidCredentialsError && e.message === 'invalid username or password',
      );
    }
    await assert.rejects(up.call('update', 'login/erin', {}), /missing required field "password"/);
  });

  it('declares the login as unauthenticated with the username as alias lookahead', async () => {
    const up = await harness();
    const m = up.backend.match('login/Frank')!;
    assert.deepEqual(m.path.unauthenticated, ['update', 'create']);
    assert.equal(await m.path.aliasLookahead?.({} as never, { username: 'Frank', password: 'x' }), 'frank');
  });

  it('checks token_bound_cidrs against the remote address (after the password)', async () => {
    const up = await harness();
    await up.write('users/gina', { password: 'pw', token_bound_cidrs: '10.0.0.0/8' });
    await assert.rejects(
      up.call('update', 'login/gina', { password: 'pw' }, { remoteAddr: '192.168.1.1' }),
      PermissionDeniedError,
    );
    await assert.rejects(
      up.call('update', 'login/gina', { password: 'bad' }, { remoteAddr: '192.168.1.1' }),
      InvalidCredentialsError,
    );
    const ok = await up.call('update', 'login/gina', { password: 'pw' }, { remoteAddr: '10.9.8.7' });
    assert.deepEqual(ok.auth?.boundCIDRs, ['10.0.0.0/8']);
  });

  it('rehashes a password stored with other Argon2 parameters at login', async () => {
    const up = await harness();
    await up.write('users/hank', { password: 'pw' });
    const old = await new PasswordHasher({ memory: 512, passes: 1 }).hash('pw');
    const entry = (await up.storage.getJSON<UserEntry>('user/hank'))!;
    await up.storage.putJSON('user/hank', { ...entry, password: old });
    await up.call('update', 'login/hank', { password: 'pw' });
    const now = (await up.storage.getJSON<UserEntry>('user/hank'))!;
    assert.equal(now.password.params.memory, FAST.memory);
    assert.notEqual(now.password.hash, old.hash);
    await up.call('update', 'login/hank', { password: 'pw' });
  });

  it('stores neither the password nor anything derived without salt', async () => {
    const up = await harness();
    const password = 'correct-horse-battery-staple';
    await up.write('users/ivy', { password });
    await up.call('update', 'users/ivy/password', { password: `${password}-2` });
    await up.call('update', 'login/ivy', { password: `${password}-2` });
    const dump = await up.dump();
    assert.ok(!dump.includes(password), 'no password in storage keys or values');
    assert.ok(!dump.includes(Buffer.from(password).toString('base64')));
    const entry = (await up.storage.getJSON<UserEntry>('user/ivy'))!;
    assert.equal(entry.password.algorithm, 'argon2id');
    assert.equal(Buffer.from(entry.password.salt, 'base64').length, 16);
    await up.write('users/jay', { password });
    const other = (await up.storage.getJSON<UserEntry>('user/jay'))!;
    assert.notEqual(other.password.salt, entry.password.salt, 'a salt per user');
  });

  it('costs the same for an unknown user as for a wrong password', async () => {
    const up = await harness();
    await up.write('users/kim', { password: 'right' });
    const time = async (user: string) => {
      const t = performance.now();
      await up.call('update', `login/${user}`, { password: 'wrong' }).catch((e: unknown) => {
        if (!(e instanceof InvalidCredentialsError)) throw e;
      });
      return performance.now() - t;
    };
    for (let i = 0; i < 20; i++) await time(i % 2 ? 'kim' : 'nobody'); // warm up
    let known = 0;
    let unknown = 0;
    const n = 200;
    for (let i = 0; i < n; i++) {
      known += await time('kim');
      unknown += await time(`nobody${i}`);
    }
    const ratio = unknown / known;
    console.log(
      `wrong password: ${(known / n).toFixed(3)} ms, unknown user: ${(unknown / n).toFixed(3)} ms, ratio ${ratio.toFixed(2)}`,
    );
    assert.ok(ratio > 0.7 && ratio < 1.3, `ratio ${ratio}`);
  });
});
