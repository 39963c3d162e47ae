/** Tier-1 test harness for the KV engine: a mounted backend over in-memory storage and a clock. */
import {
  type Backend,
  type Operation,
  type Request,
  type Response,
  realSystemView,
  StorageView,
  silentLogger,
} from '../../sdk/index.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { kvFactory } from './index.ts';

export const START = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

export interface KvHarness {
  backend: Backend;
  storage: StorageView;
  inmem: InmemStorage;
  /** The injected clock: epoch milliseconds, move it with `advance`. */
  clock: { ms: number; advance(seconds: number): void };
  /** Runs one operation, as the router would after ACLs. */
  call(
    operation: Operation,
    mountPath: string,
    data?: Record<string, unknown>,
    extra?: Partial<Request>,
  ): Promise<Response>;
  /** POST/PUT as core sends it: create when the path's existence check says absent, else update. */
  write(mountPath: string, data?: Record<string, unknown>): Promise<Response>;
  /** PATCH with the merge-patch content type. */
  patch(mountPath: string, data: Record<string, unknown>): Promise<Response>;
}

export function kvRequest(
  operation: Operation,
  mountPath: string,
  data: Record<string, unknown> = {},
  extra: Partial<Request> = {},
): Request {
  return {
    id: 'req-1',
    operation,
    path: `secret/${mountPath}`,
    data,
    headers: {},
    clientToken: '',
    remoteAddr: '127.0.0.1',
    mountPoint: 'secret/',
    mountPath,
    ...extra,
  };
}

export async function kvHarness(options: Record<string, string> = { version: '2' }): Promise<KvHarness> {
  const inmem = new InmemStorage();
  const storage = new StorageView(inmem, '');
  const clock = {
    ms: START,
    advance(seconds: number) {
      clock.ms += seconds * 1000;
    },
  };
  const backend = await kvFactory({
    storage,
    system: realSystemView({ now: () => new Date(clock.ms) }),
    logger: silentLogger,
    mount: {
      path: 'secret/',
      type: 'kv',
      accessor: 'kv_test',
      uuid: '00000000-0000-0000-0000-000000000000',
      options,
    },
  });
  const call: KvHarness['call'] = (operation, mountPath, data = {}, extra = {}) =>
    backend.handle(kvRequest(operation, mountPath, data, extra));
  return {
    backend,
    storage,
    inmem,
    clock,
    call,
    async write(mountPath, data = {}) {
      const exists = await backend.exists(kvRequest('update', mountPath, data));
      return call(exists === false ? 'create' : 'update', mountPath, data);
    },
    patch: (mountPath, data) =>
      call('patch', mountPath, data, { contentType: 'application/merge-patch+json' }),
  };
}

/** The time the harness clock shows, as KV prints it. */
export function printed(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000000Z');
}
