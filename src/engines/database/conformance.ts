import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { DatabasePlugin, PluginConfig } from './plugin.ts';

/** What a plugin's test file hands the suite: a plugin and ways to look at the real server. */
export interface ConformanceSetup {
  plugin: DatabasePlugin;
  config: PluginConfig;
  /** Undefined where the database does not check passwords (trusted local connections). */
  canLogin?(username: string, password: string): Promise<boolean>;
  userExists(username: string): Promise<boolean>;
  cleanup(): Promise<void>;
}

/**
 * The cases every database plugin must pass against its real server (see ./plugin.ts). Each case
 * gets a fresh setup from `make`; the suite closes the plugin (unless the case did) and cleans up.
 */
export function pluginConformance(name: string, make: () => Promise<ConformanceSetup>): void {
  const fresh = (max: number) => `cf_${randomBytes(12).toString('hex')}`.slice(0, Math.min(max, 24));
  const pw = () => `P${randomBytes(12).toString('hex')}a1`;
  const expiration = () => new Date(Date.now() + 3600_000);

  const withPlugin = (fn: (s: ConformanceSetup) => Promise<void>) => async () => {
    const setup = await make();
    let closed = false;
    const plugin = setup.plugin;
    const tracked: DatabasePlugin = {
      name: plugin.name,
      maxUsernameLength: plugin.maxUsernameLength,
      initialize: (c, o) => plugin.initialize(c, o),
      newUser: (r) => plugin.newUser(r),
      updateUser: (r) => plugin.updateUser(r),
      deleteUser: (r) => plugin.deleteUser(r),
      close: () => {
        closed = true;
        return plugin.close();
      },
    };
    try {
      await plugin.initialize(setup.config, { verifyConnection: true });
      await fn({ ...setup, plugin: tracked });
    } finally {
      if (!closed) await plugin.close();
      await setup.cleanup();
    }
  };

  const create = (p: DatabasePlugin, username: string, password: string) =>
    p.newUser({ username, password, expiration: expiration(), statements: [], rollbackStatements: [] });

  describe(`database plugin conformance: ${name}`, () => {
    it(
      'initializes with verifyConnection',
      withPlugin(async () => {}),
    );

    it(
      'newUser creates a user that exists and can log in',
      withPlugin(async (s) => {
        const u = fresh(s.plugin.maxUsernameLength);
        const p = pw();
        await create(s.plugin, u, p);
        assert.equal(await s.userExists(u), true);
        if (s.canLogin) assert.equal(await s.canLogin(u, p), true);
        await s.plugin.deleteUser({ username: u, statements: [] });
      }),
    );

    it(
      'updateUser sets a new password: the new one works, the old one does not',
      withPlugin(async (s) => {
        const u = fresh(s.plugin.maxUsernameLength);
        const [p1, p2] = [pw(), pw()];
        await create(s.plugin, u, p1);
        await s.plugin.updateUser({ username: u, password: p2, statements: [] });
        await s.plugin.updateUser({ username: u, expiration: expiration(), statements: [] });
        if (s.canLogin) {
          assert.equal(await s.canLogin(u, p2), true);
          assert.equal(await s.canLogin(u, p1), false);
        }
        await s.plugin.deleteUser({ username: u, statements: [] });
      }),
    );

    it(
      'deleteUser removes the user, and is idempotent',
      withPlugin(async (s) => {
        const u = fresh(s.plugin.maxUsernameLength);
        await create(s.plugin, u, pw());
        await s.plugin.deleteUser({ username: u, statements: [] });
        assert.equal(await s.userExists(u), false);
        await s.plugin.deleteUser({ username: u, statements: [] });
        await s.plugin.deleteUser({ username: fresh(s.plugin.maxUsernameLength), statements: [] });
      }),
    );

    it(
      'hostile usernames are refused or created literally, and nothing else is dropped',
      withPlugin(async (s) => {
        const sentinel = fresh(s.plugin.maxUsernameLength);
        await create(s.plugin, sentinel, pw());
        for (const hostile of ['x"; DROP ROLE postgres; --', "a'b", 'c`d', 'e\\f']) {
          if (hostile.length > s.plugin.maxUsernameLength) continue;
          let created = true;
          try {
            await create(s.plugin, hostile, pw());
          } catch {
            created = false;
          }
          assert.equal(await s.userExists(hostile), created, `${hostile} exists iff created`);
          if (created) {
            await s.plugin.deleteUser({ username: hostile, statements: [] });
            assert.equal(await s.userExists(hostile), false);
          }
          assert.equal(await s.userExists(sentinel), true, 'the sentinel user survives');
        }
        await s.plugin.deleteUser({ username: sentinel, statements: [] });
      }),
    );

    it(
      '20 concurrent newUser calls succeed or fail cleanly',
      withPlugin(async (s) => {
        const names = Array.from({ length: 20 }, () => fresh(s.plugin.maxUsernameLength));
        const results = await Promise.allSettled(names.map((u) => create(s.plugin, u, pw())));
        for (const [i, r] of results.entries()) {
          assert.equal(await s.userExists(names[i]!), r.status === 'fulfilled', `${names[i]} half-created`);
        }
        assert.ok(
          results.some((r) => r.status === 'fulfilled'),
          'at least one creation succeeds',
        );
        await Promise.all(names.map((u) => s.plugin.deleteUser({ username: u, statements: [] })));
      }),
    );

    it(
      'closes',
      withPlugin(async (s) => {
        await s.plugin.close();
      }),
    );
  });
}
