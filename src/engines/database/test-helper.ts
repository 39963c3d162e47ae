/** Tier-1 harness for the database engine: a mount over in-memory storage, a clock, fake timers. */
import {
  type Backend,
  type Operation,
  type Request,
  type RequestAuth,
  type Response,
  realSystemView,
  StorageView,
  silentLogger,
} from '../../sdk/index.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { createDatabaseFactory, type Timers } from './index.ts';
import { FakeDatabase } from './testing.ts';

export const START = Date.UTC(2024, 0, 1, 0, 0, 0);

export class FakeTimers implements Timers {
  pending: { fn: () => Promise<void>; ms: number } | undefined;
  setTimeout(fn: () => Promise<void>, ms: number): unknown {
    this.pending = { fn, ms };
    return this.pending;
  }
  clearTimeout(h: unknown): void {
    if (this.pending === h) this.pending = undefined;
  }
  /** Runs the armed callback (if any) and waits for it. */
  async fire(): Promise<void> {
    const p = this.pending;
    this.pending = undefined;
    await p?.fn();
  }
}

export interface DbHarness {
  backend: Backend;
  storage: StorageView;
  inmem: InmemStorage;
  db: FakeDatabase;
  timers: FakeTimers;
  clock: { ms: number; advance(seconds: number): void };
  call(
    op: Operation,
    path: string,
    data?: Record<string, unknown>,
    auth?: Partial<RequestAuth>,
  ): Promise<Response>;
  write(path: string, data?: Record<string, unknown>): Promise<Response>;
  /** A new factory over the same storage and database (a restart). */
  restart(): Promise<DbHarness>;
}

export interface HarnessOptions {
  inmem?: InmemStorage;
  db?: FakeDatabase;
  clock?: { ms: number; advance(seconds: number): void };
  plugin?: { maxUsernameLength?: number; maxConcurrentCreates?: number };
}

export async function dbHarness(o: HarnessOptions = {}): Promise<DbHarness> {
  const inmem = o.inmem ?? new InmemStorage();
  const storage = new StorageView(inmem, 'logical/db/');
  const db = o.db ?? new FakeDatabase({ username: 'root', password: 'rootpw' });
  const clock =
    o.clock ??
    (() => {
      const c = {
        ms: START,
        advance(seconds: number) {
          c.ms += seconds * 1000;
        },
      };
      return c;
    })();
  const timers = new FakeTimers();
  let n = 0;
  const factory = createDatabaseFactory(new Map([['fake-database-plugin', db.factory(o.plugin)]]), {
    timers,
    sleep: async () => {},
  });
  const backend = await factory({
    storage,
    system: realSystemView({
      now: () => new Date(clock.ms),
      generatePassword: async (policy) => `pw-${policy ?? 'default'}-${++n}`,
      defaultLeaseTTL: () => 3600,
    }),
    logger: silentLogger,
    mount: { path: 'database/', type: 'database', accessor: 'database_test', uuid: 'u', options: {} },
  });
  const request = (
    operation: Operation,
    mountPath: string,
    data: Record<string, unknown>,
    auth?: Partial<RequestAuth>,
  ): Request => ({
    id: 'r',
    operation,
    path: `database/${mountPath}`,
    data,
    headers: {},
    clientToken: '',
    remoteAddr: '127.0.0.1',
    mountPoint: 'database/',
    mountPath,
    ...(auth ? { auth: auth as RequestAuth } : {}),
  });
  const h: DbHarness = {
    backend,
    storage,
    inmem,
    db,
    timers,
    clock,
    call: (op, path, data = {}, auth) => backend.handle(request(op, path, data, auth)),
    async write(path, data = {}) {
      const exists = await backend.exists(request('update', path, data));
      return backend.handle(request(exists === false ? 'create' : 'update', path, data));
    },
    async restart() {
      await backend.cleanup?.();
      return dbHarness({ ...o, inmem, db, clock });
    },
  };
  return h;
}

export const ROOT_CONFIG = {
  plugin_name: 'fake-database-plugin',
  connection_url: 'fake://{{username}}:{{password}}@localhost/db',
  username: 'root',
  password: 'rootpw',
  allowed_roles: '*',
};
