/** Tier-1 harness: an identity store over in-memory storage and its backend, with a clock. */
import { type Backend, createBackend } from '../../sdk/framework/index.ts';
import { silentLogger } from '../../sdk/logger.ts';
import type { Operation, Response } from '../../sdk/request.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { realSystemView } from '../../sdk/system.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { identityBackendDefinition } from './paths.ts';
import { IdentityStore } from './store.ts';

export const START = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
export const MOUNTS: Record<string, { type: string; path: string }> = {
  auth_userpass_1: { type: 'userpass', path: 'auth/userpass/' },
  auth_approle_2: { type: 'approle', path: 'auth/approle/' },
};

export interface IdentityHarness {
  inmem: InmemStorage;
  storage: StorageView;
  store: IdentityStore;
  backend: Backend;
  clock: { ms: number };
  /** Runs one operation as the router would (POST/PUT: create when the existence check says so). */
  call(operation: Operation | 'write', path: string, data?: Record<string, unknown>): Promise<Response>;
  /** A new store and backend over the same storage (a restart). */
  restart(): Promise<IdentityHarness>;
}

export async function identityHarness(inmem = new InmemStorage()): Promise<IdentityHarness> {
  const storage = new StorageView(inmem, '');
  const clock = { ms: START };
  const store = new IdentityStore({ storage, now: () => new Date(clock.ms) });
  await store.load();
  const backend = createBackend(
    identityBackendDefinition({ store, lookupMount: (accessor) => MOUNTS[accessor] }),
    {
      storage,
      system: realSystemView({ now: () => new Date(clock.ms) }),
      logger: silentLogger,
      mount: { path: 'identity/', type: 'identity', accessor: 'identity_1', uuid: 'u', options: {} },
    },
  );
  const request = (operation: Operation, path: string, data: Record<string, unknown>) => ({
    id: 'req',
    operation,
    path: `identity/${path}`,
    data,
    headers: {},
    clientToken: '',
    remoteAddr: '127.0.0.1',
    mountPoint: 'identity/',
    mountPath: path,
  });
  return {
    inmem,
    storage,
    store,
    backend,
    clock,
    async call(operation, path, data = {}) {
      if (operation === 'write') {
        const exists = await backend.exists(request('update', path, data));
        operation = exists === false ? 'create' : 'update';
      }
      return backend.handle(request(operation, path, data));
    },
    restart: () => identityHarness(inmem),
  };
}
