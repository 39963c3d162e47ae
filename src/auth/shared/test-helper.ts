/** Tier-1 harness for auth methods: a mounted backend over in-memory storage and a clock. */
import {
  type Backend,
  type BackendFactory,
  type Operation,
  type Request,
  type Response,
  realSystemView,
  StorageView,
  silentLogger,
} from '../../sdk/index.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';

export const START = Date.UTC(2024, 0, 2, 3, 4, 5, 0);

export interface AuthHarness {
  backend: Backend;
  storage: StorageView;
  clock: { ms: number; advance(seconds: number): void };
  call(
    operation: Operation,
    mountPath: string,
    data?: Record<string, unknown>,
    extra?: Partial<Request>,
  ): Promise<Response>;
  /** POST as core sends it: create when the existence check says absent, else update. */
  write(mountPath: string, data?: Record<string, unknown>, extra?: Partial<Request>): Promise<Response>;
  /** Every stored key and value (values as UTF-8 text), to check what is (not) stored. */
  dump(): Promise<string>;
}

export async function authHarness(factory: BackendFactory, mount: string): Promise<AuthHarness> {
  const storage = new StorageView(new InmemStorage(), '');
  const clock = {
    ms: START,
    advance(seconds: number) {
      clock.ms += seconds * 1000;
    },
  };
  const backend = await factory({
    storage,
    system: realSystemView({ now: () => new Date(clock.ms) }),
    logger: silentLogger,
    mount: { path: `auth/${mount}/`, type: mount, accessor: `auth_${mount}_1234`, uuid: 'u-1', options: {} },
  });
  const request = (
    operation: Operation,
    mountPath: string,
    data: Record<string, unknown>,
    extra: Partial<Request>,
  ): Request => ({
    id: 'req-1',
    operation,
    path: `auth/${mount}/${mountPath}`,
    data,
    headers: {},
    clientToken: '',
    remoteAddr: '127.0.0.1',
    mountPoint: `auth/${mount}/`,
    mountPath,
    ...extra,
  });
  const call: AuthHarness['call'] = (operation, mountPath, data = {}, extra = {}) =>
    backend.handle(request(operation, mountPath, data, extra));
  return {
    backend,
    storage,
    clock,
    call,
    async write(mountPath, data = {}, extra = {}) {
      const exists = await backend.exists(request('update', mountPath, data, extra));
      return call(exists === false ? 'create' : 'update', mountPath, data, extra);
    },
    async dump() {
      const lines: string[] = [];
      for (const key of await storage.listAll('')) {
        lines.push(`${key}=${(await storage.get(key))?.toString('utf8') ?? ''}`);
      }
      return lines.join('\n');
    },
  };
}
