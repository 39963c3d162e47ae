/**
 * Tier-1 test harness for any backend: its factory mounted over in-memory storage with an
 * injectable clock, and requests built as the router hands them over (after ACLs). Engines and
 * auth methods wrap this with their own mount names; tests only.
 */
import { InmemStorage } from '../storage/inmem/inmem.ts';
import type { Backend, BackendFactory } from './framework/backend.ts';
import { silentLogger } from './logger.ts';
import type { Operation, Request, Response } from './request.ts';
import { StorageView } from './storage-view.ts';
import { realSystemView, type SystemView } from './system.ts';

export interface BackendHarness {
  backend: Backend;
  storage: StorageView;
  inmem: InmemStorage;
  /** The injected clock: epoch milliseconds, move it with `advance`. */
  clock: { ms: number; advance(seconds: number): void };
  /** The Request the router would pass for `mountPath` below the mount. */
  request(
    operation: Operation,
    mountPath: string,
    data?: Record<string, unknown>,
    extra?: Partial<Request>,
  ): Request;
  call(
    operation: Operation,
    mountPath: string,
    data?: Record<string, unknown>,
    extra?: Partial<Request>,
  ): Promise<Response>;
  /** POST/PUT as core sends it: create when the path's existence check says absent, else update. */
  write(mountPath: string, data?: Record<string, unknown>, extra?: Partial<Request>): Promise<Response>;
  /** Every stored key and value (values as UTF-8 text), to check what is (not) stored. */
  dump(): Promise<string>;
}

export async function backendHarness(opts: {
  factory: BackendFactory;
  mount: { path: string; type: string; accessor?: string; uuid?: string; options?: Record<string, string> };
  start: number;
  system?: Partial<SystemView>;
}): Promise<BackendHarness> {
  const inmem = new InmemStorage();
  const storage = new StorageView(inmem, '');
  const clock = {
    ms: opts.start,
    advance(seconds: number) {
      clock.ms += seconds * 1000;
    },
  };
  const { path, type } = opts.mount;
  const backend = await opts.factory({
    storage,
    system: realSystemView({ now: () => new Date(clock.ms), ...opts.system }),
    logger: silentLogger,
    mount: {
      path,
      type,
      accessor: opts.mount.accessor ?? `${type}_test`,
      uuid: opts.mount.uuid ?? '00000000-0000-0000-0000-000000000000',
      options: opts.mount.options ?? {},
    },
  });
  const request: BackendHarness['request'] = (operation, mountPath, data = {}, extra = {}) => ({
    id: 'req-1',
    operation,
    path: `${path}${mountPath}`,
    data,
    headers: {},
    clientToken: '',
    remoteAddr: '127.0.0.1',
    mountPoint: path,
    mountPath,
    ...extra,
  });
  const call: BackendHarness['call'] = (operation, mountPath, data = {}, extra = {}) =>
    backend.handle(request(operation, mountPath, data, extra));
  return {
    backend,
    storage,
    inmem,
    clock,
    request,
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
