import { type BackendFactory, createBackend, defineBackend } from '../../sdk/index.ts';
import { configPaths } from './config.ts';
import { credsPaths, credsSecret } from './creds.ts';
import { DatabaseEngine, type EngineOptions } from './engine.ts';
import type { PluginFactory } from './plugin.ts';
import { rolePaths } from './roles.ts';
import { staticPaths } from './static.ts';

export type { EngineOptions, Timers } from './engine.ts';
export type { DatabasePlugin, PluginConfig, PluginFactory } from './plugin.ts';

export const DATABASE_HELP =
  'The database secrets engine issues database credentials: dynamic users with a lease from roles ' +
  '(creds/:name), and rotated passwords of existing users (static-roles, static-creds). Connections ' +
  'are configured under config/:name with a plugin (PostgreSQL, MySQL, Redis).';

/** The path table of a mount (for docs and tests); handlers act on `engine`. */
export function databaseBackend(engine: DatabaseEngine) {
  return defineBackend({
    type: 'database',
    description: 'Dynamic and static database credentials.',
    paths: [...configPaths(engine), ...rolePaths(), ...credsPaths(engine), ...staticPaths(engine)],
    secrets: { creds: credsSecret(engine) },
    help: DATABASE_HELP,
  });
}

/**
 * Builds `database` mounts with the given plugins (`plugin_name` → constructor). On mount and
 * unseal it settles what a crash left (root and static rotation WALs, users created without a
 * stored lease) before answering; `cleanup` (unmount, seal) stops the timer and closes the pools.
 */
export function createDatabaseFactory(
  plugins: ReadonlyMap<string, PluginFactory>,
  opts: EngineOptions = {},
): BackendFactory {
  return async (env) => {
    const engine = new DatabaseEngine(env, plugins, opts);
    await engine.start();
    const backend = createBackend(databaseBackend(engine), env);
    return { ...backend, cleanup: () => engine.close() };
  };
}
