import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadRequestError,
  InvalidCredentialsError,
  InvalidFieldError,
  PermissionDeniedError,
} from '../../sdk/errors.ts';
import { createBackend } from '../../sdk/framework/backend.ts';
import { defineBackend } from '../../sdk/framework/path.ts';
import { silentLogger } from '../../sdk/logger.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { realSystemView } from '../../sdk/system.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import {
  DEFAULT_LOCKOUT,
  type LockoutConfig,
  LockoutManager,
  lockoutPaths,
  lockoutTuneJSON,
  parseUserLockoutConfig,
  resolveLockoutConfig,
} from './index.ts';

const CFG: LockoutConfig = {
  lockout_threshold: 3,
  lockout_duration: 60,
  lockout_counter_reset: 30,
  disable_lockout: false,
};

function setup(storage?: StorageView) {
  const clock = { ms: 1_000_000 };
  const advance = (s: number) => {
    clock.ms += s * 1000;
  };
  const lm = new LockoutManager({ now: () => clock.ms, ...(storage ? { storage } : {}) });
  return { clock, advance, lm };
}

describe('LockoutManager', () => {
  it('locks after the threshold and unlocks after the duration', () => {
    const { lm, advance } = setup();
    for (let i = 0; i < 2; i++) lm.recordFailure('acc', 'alice', CFG);
    assert.equal(lm.isLocked('acc', 'alice'), false);
    lm.recordFailure('acc', 'alice', CFG);
    assert.equal(lm.isLocked('acc', 'alice'), true);
    assert.equal(lm.isLocked('acc', 'bob'), false);
    assert.equal(lm.isLocked('other', 'alice'), false, 'per mount');
    advance(59);
    assert.equal(lm.isLocked('acc', 'alice'), true);
    advance(1);
    assert.equal(lm.isLocked('acc', 'alice'), false);
    lm.recordFailure('acc', 'alice', CFG);
    assert.equal(lm.isLocked('acc', 'alice'), false, 'the count starts over after a lock');
  });

  it('resets the count after lockout_counter_reset without failures, and on success', () => {
    const { lm, advance } = setup();
    lm.recordFailure('acc', 'a', CFG);
    lm.recordFailure('acc', 'a', CFG);
    advance(31);
    lm.recordFailure('acc', 'a', CFG);
    assert.equal(lm.isLocked('acc', 'a'), false);
    lm.recordFailure('acc', 'a', CFG);
    lm.recordSuccess('acc', 'a');
    lm.recordFailure('acc', 'a', CFG);
    lm.recordFailure('acc', 'a', CFG);
    assert.equal(lm.isLocked('acc', 'a'), false);
    lm.recordFailure('acc', 'a', CFG);
    assert.equal(lm.isLocked('acc', 'a'), true);
  });

  it('does nothing when lockout is disabled', () => {
    const { lm } = setup();
    for (let i = 0; i < 10; i++) lm.recordFailure('acc', 'a', { ...CFG, disable_lockout: true });
    for (let i = 0; i < 10; i++) lm.recordFailure('acc', 'b', { ...CFG, lockout_threshold: 0 });
    assert.equal(lm.isLocked('acc', 'a'), false);
    assert.equal(lm.isLocked('acc', 'b'), false);
    assert.equal(lm.size, 0);
  });

  it('lists locked aliases and unlocks them', () => {
    const { lm, clock } = setup();
    for (const alias of ['a', 'b']) for (let i = 0; i < 3; i++) lm.recordFailure('acc', alias, CFG);
    lm.recordFailure('acc', 'c', CFG);
    assert.deepEqual(
      lm.list().map((u) => [u.mount_accessor, u.alias, u.failed_login_attempts, u.last_failed_login_time]),
      [
        ['acc', 'a', 3, clock.ms],
        ['acc', 'b', 3, clock.ms],
      ],
    );
    lm.unlock('acc', 'a');
    assert.equal(lm.isLocked('acc', 'a'), false);
    assert.deepEqual(
      lm.list().map((u) => u.alias),
      ['b'],
    );
  });

  it('keeps memory bounded, never dropping locks', () => {
    const clock = { ms: 0 };
    const lm = new LockoutManager({ now: () => clock.ms, maxEntries: 10 });
    for (let i = 0; i < 3; i++) lm.recordFailure('acc', 'locked', CFG);
    for (let i = 0; i < 100; i++) lm.recordFailure('acc', `guess${i}`, CFG);
    assert.equal(lm.size, 10);
    assert.equal(lm.isLocked('acc', 'locked'), true);
  });

  it('persists locks behind the barrier and restores them', async () => {
    const inmem = new InmemStorage();
    const storage = new StorageView(inmem, 'sys/lockout/');
    const first = setup(storage);
    for (let i = 0; i < 3; i++) first.lm.recordFailure('acc', 'role-id-secretish', CFG);
    for (let i = 0; i < 3; i++) first.lm.recordFailure('acc', 'gone', CFG);
    first.lm.recordFailure('acc', 'counted-only', CFG);
    await first.lm.flush();
    const keys = await storage.listAll('');
    assert.equal(keys.length, 2, 'only locks are stored');
    assert.ok(!keys.join().includes('role-id-secretish'), 'aliases are not storage keys');
    first.lm.unlock('acc', 'gone');
    await first.lm.flush();
    assert.equal((await storage.listAll('')).length, 1);

    const clock = { ms: first.clock.ms + 10_000 };
    const second = new LockoutManager({ now: () => clock.ms, storage });
    await second.load();
    assert.equal(second.isLocked('acc', 'role-id-secretish'), true);
    assert.equal(second.isLocked('acc', 'counted-only'), false);
    clock.ms += 60_000;
    const third = new LockoutManager({ now: () => clock.ms, storage });
    await third.load();
    assert.equal(third.isLocked('acc', 'role-id-secretish'), false);
    assert.deepEqual(await storage.listAll(''), [], 'expired locks are removed at load');
  });
});

describe('lockout config', () => {
  it('parses the tune object (Vault keys and strings)', () => {
    assert.deepEqual(
      parseUserLockoutConfig({
        lockout_threshold: '10',
        lockout_duration: '20m',
        lockout_counter_reset_duration: '1h',
        lockout_disable: 'false',
      }),
      { lockout_threshold: 10, lockout_duration: 1200, lockout_counter_reset: 3600, disable_lockout: false },
    );
    assert.deepEqual(parseUserLockoutConfig({ lockout_counter_reset: 30, disable_lockout: true }), {
      lockout_counter_reset: 30,
      disable_lockout: true,
    });
    for (const bad of [
      { lockout_threshold: 'x' },
      { lockout_duration: 'soon' },
      { lockout_disable: 'maybe' },
      { nope: 1 },
    ]) {
      assert.throws(() => parseUserLockoutConfig(bad), InvalidFieldError, JSON.stringify(bad));
    }
  });

  it('resolves mount over server over defaults', () => {
    assert.deepEqual(resolveLockoutConfig(), DEFAULT_LOCKOUT);
    assert.deepEqual(resolveLockoutConfig({ lockout_threshold: '2' }, { lockout_duration: 5 }), {
      ...DEFAULT_LOCKOUT,
      lockout_threshold: 2,
      lockout_duration: 5,
    });
    assert.equal(resolveLockoutConfig({ lockout_threshold: '0' }).disable_lockout, true);
    assert.deepEqual(lockoutTuneJSON(DEFAULT_LOCKOUT), {
      user_lockout_counter_reset_duration: 900,
      user_lockout_disable: false,
      user_lockout_duration: 900,
      user_lockout_threshold: 5,
    });
  });
});

describe('sys/locked-users', () => {
  async function sys() {
    const { lm } = setup();
    const backend = createBackend(
      defineBackend({ type: 'system', description: '', help: '', paths: lockoutPaths({ lockout: lm }) }),
      {
        storage: new StorageView(new InmemStorage(), ''),
        system: realSystemView(),
        logger: silentLogger,
        mount: { path: 'sys/', type: 'system', accessor: 'system_1', uuid: 'u', options: {} },
      },
    );
    const call = (
      operation: 'read' | 'list' | 'update',
      mountPath: string,
      data: Record<string, unknown> = {},
    ) =>
      backend.handle({
        id: 'r',
        operation,
        path: `sys/${mountPath}`,
        data,
        headers: {},
        clientToken: '',
        remoteAddr: '127.0.0.1',
        mountPoint: 'sys/',
        mountPath,
      });
    return { lm, call };
  }

  it("answers Vault's shape and unlocks", async () => {
    const { lm, call } = await sys();
    assert.deepEqual((await call('read', 'locked-users')).data, { by_namespace: [], total: 0 });
    for (const [acc, alias] of [
      ['auth_userpass_1', 'bob'],
      ['auth_userpass_1', 'alice'],
      ['auth_approle_2', 'role-id-1'],
    ] as const)
      for (let i = 0; i < 3; i++) lm.recordFailure(acc, alias, CFG);
    const want = {
      by_namespace: [
        {
          namespace_id: 'root',
          namespace_path: '',
          counts: 3,
          mount_accessors: [
            { mount_accessor: 'auth_approle_2', counts: 1, alias_identifiers: ['role-id-1'] },
            { mount_accessor: 'auth_userpass_1', counts: 2, alias_identifiers: ['alice', 'bob'] },
          ],
        },
      ],
      total: 3,
    };
    assert.deepEqual((await call('read', 'locked-users')).data, want);
    assert.deepEqual((await call('list', 'locked-users')).data, want);
    assert.equal((await call('read', 'locked-users', { mount_accessor: 'auth_approle_2' })).data!.total, 1);
    assert.deepEqual(await call('update', 'locked-users/auth_userpass_1/unlock/alice'), {});
    assert.equal(lm.isLocked('auth_userpass_1', 'alice'), false);
    assert.equal((await call('read', 'locked-users')).data!.total, 2);
    assert.deepEqual(await call('update', 'locked-users/auth_userpass_1/unlock/nobody'), {});
  });
});

describe('guardLogin', () => {
  it('counts invalid credentials, refuses while locked, clears on success', async () => {
    const { lm, advance } = setup();
    const users: Record<string, string> = { alice: 'right' };
    let runs = 0;
    /** A login handler as an auth method has one: unknown user and wrong password alike. */
    const handler = async (user: string, password: string) => {
      runs++;
      if (users[user] !== password) throw new InvalidCredentialsError('invalid username or password');
      return { auth: { alias: { name: user } } };
    };
    const login = (user: string, password: string) =>
      lm.guardLogin('auth_userpass_1', user, CFG, () => handler(user, password));
    await assert.rejects(login('alice', 'wrong'), InvalidCredentialsError);
    await assert.rejects(login('alice', 'wrong'), InvalidCredentialsError);
    await login('alice', 'right');
    for (let i = 0; i < 3; i++) await assert.rejects(login('alice', 'wrong'), InvalidCredentialsError);
    const before = runs;
    await assert.rejects(login('alice', 'right'), PermissionDeniedError);
    assert.equal(runs, before, 'a locked login does not run');
    for (let i = 0; i < 3; i++) await assert.rejects(login('ghost', 'x'), InvalidCredentialsError);
    await assert.rejects(login('ghost', 'x'), PermissionDeniedError, 'unknown users lock the same way');
    await assert.rejects(
      lm.guardLogin('auth_userpass_1', 'bob', CFG, async () => {
        throw new BadRequestError('missing password');
      }),
      BadRequestError,
    );
    assert.equal(lm.size, 2, 'other errors do not count');
    await assert.rejects(
      lm.guardLogin('acc', undefined, CFG, () => handler('x', 'y')),
      InvalidCredentialsError,
    );
    assert.equal(lm.size, 2, 'no alias: nothing recorded');
    advance(60);
    assert.ok((await login('alice', 'right')).auth);
  });
});
