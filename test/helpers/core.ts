import { randomUUID } from 'node:crypto';
import { Core } from '../../src/core/core.ts';
import { silentLogger } from '../../src/sdk/logger.ts';
import type { Operation, Request, Response } from '../../src/sdk/request.ts';
import type { SystemView } from '../../src/sdk/system.ts';
import { builtinAuthRegistry, builtinRegistry } from '../../src/server/registry.ts';
import { InmemStorage } from '../../src/storage/inmem/inmem.ts';
import type { Storage } from '../../src/storage/storage.ts';

export interface TestCore {
  core: Core;
  rootToken: string;
  storage: Storage;
  /** One request through core, as the root token unless `token` is given. */
  request(
    operation: Operation,
    path: string,
    data?: Record<string, unknown>,
    extra?: Partial<Request>,
  ): Promise<Response>;
}

/** Tier 2: an initialized, unsealed core on in-memory storage with KV v2 at secret/. */
export async function testCore(
  opts: { storage?: Storage; system?: Partial<SystemView> } = {},
): Promise<TestCore> {
  const storage = opts.storage ?? new InmemStorage();
  const core = new Core({
    physical: storage,
    storageType: 'inmem',
    registry: builtinRegistry(),
    authRegistry: builtinAuthRegistry(),
    logger: silentLogger,
    ...(opts.system ? { system: opts.system } : {}),
  });
  const { rootToken } = await core.initDev();
  const request: TestCore['request'] = (operation, path, data = {}, extra = {}) =>
    core.handle({
      id: randomUUID(),
      operation,
      path,
      data,
      headers: {},
      clientToken: rootToken,
      remoteAddr: '127.0.0.1',
      ...extra,
    });
  await request('update', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
  return { core, rootToken, storage, request };
}
