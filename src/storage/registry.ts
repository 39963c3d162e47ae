import { InmemStorage } from './inmem/inmem.ts';
import { SqliteStorage } from './sqlite/sqlite.ts';
import type { Storage, StorageConfig } from './storage.ts';

/** What a backend may use beside its config block. */
export interface StorageDeps {
  /** Background problems worth an operator's attention (the server passes its logger's warn). */
  warn?: (message: string, fields: Record<string, unknown>) => void;
}

type Opener = { keys: readonly string[]; open(config: StorageConfig, deps: StorageDeps): Promise<Storage> };

/** The backends a `storage "type" { ... }` block may name, with the config keys each accepts. */
const backends: Record<string, Opener> = {
  inmem: { keys: [], open: async () => new InmemStorage() },
  sqlite: {
    keys: ['path'],
    open: async (config, deps) => {
      const path = config.path;
      if (path === undefined) throw new Error('storage "sqlite": missing required config "path"');
      if (typeof path !== 'string' || path === '') {
        throw new Error('storage "sqlite": config "path" must be a non-empty string');
      }
      return SqliteStorage.open({ path, ...(deps.warn ? { warn: deps.warn } : {}) });
    },
  },
};

/** The storage types openStorage accepts, sorted. */
export const storageTypes: readonly string[] = Object.keys(backends).sort();

/** Opens the backend `type` from its config block. Unknown types and unknown config keys are refused. */
export async function openStorage(
  type: string,
  config: StorageConfig,
  deps: StorageDeps = {},
): Promise<Storage> {
  const backend = Object.hasOwn(backends, type) ? backends[type] : undefined;
  if (backend === undefined) {
    throw new Error(`unknown storage type ${JSON.stringify(type)}; supported: ${storageTypes.join(', ')}`);
  }
  const unknown = Object.keys(config).filter((k) => !backend.keys.includes(k));
  if (unknown.length > 0) {
    const accepted = backend.keys.length === 0 ? 'none' : backend.keys.join(', ');
    throw new Error(
      `storage ${JSON.stringify(type)}: unknown config ${unknown.map((k) => JSON.stringify(k)).join(', ')} (accepted: ${accepted})`,
    );
  }
  return backend.open(config, deps);
}
