import { UnsupportedPathError } from '../../sdk/errors.ts';
import type { Backend, BackendFactory } from '../../sdk/framework/backend.ts';
import type { Logger } from '../../sdk/logger.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import type { SystemView } from '../../sdk/system.ts';
import type { Storage } from '../../storage/storage.ts';
import type { MountEntry, MountTable } from './mount-table.ts';

/** Mount types the server knows, built by the composition root. */
export type BackendRegistry = ReadonlyMap<string, BackendFactory>;

export interface RouteMatch {
  readonly entry: MountEntry;
  readonly backend: Backend;
  /** The request path below the mount ('' at its root). */
  readonly mountPath: string;
}

/** Longest-prefix routing from a request path to a mounted backend with its own storage view. */
export class Router {
  readonly #table: MountTable;
  readonly #registry: BackendRegistry;
  readonly #barrier: Pick<Storage, 'get' | 'put' | 'delete' | 'list' | 'batch'>;
  readonly #system: (entry: MountEntry) => SystemView;
  readonly #logger: Logger;
  readonly #backends = new Map<string, Backend>(); // by uuid

  constructor(deps: {
    table: MountTable;
    registry: BackendRegistry;
    barrier: Pick<Storage, 'get' | 'put' | 'delete' | 'list' | 'batch'>;
    system: (entry: MountEntry) => SystemView;
    logger: Logger;
  }) {
    this.#table = deps.table;
    this.#registry = deps.registry;
    this.#barrier = deps.barrier;
    this.#system = deps.system;
    this.#logger = deps.logger;
  }

  /** Where a mount's data lives behind the barrier. Keyed by uuid so a remount moves nothing. */
  static viewPrefix(entry: MountEntry): string {
    return `logical/${entry.uuid}/`;
  }

  view(entry: MountEntry): StorageView {
    return new StorageView(this.#barrier, Router.viewPrefix(entry));
  }

  knows(type: string): boolean {
    return this.#registry.has(type);
  }

  /** Builds (or rebuilds) the backend of a mount. */
  async mount(entry: MountEntry): Promise<Backend> {
    const factory = this.#registry.get(entry.type);
    if (!factory) throw new UnsupportedPathError(`no backend for mount type "${entry.type}"`);
    const backend = await factory({
      storage: this.view(entry),
      system: this.#system(entry),
      logger: this.#logger.child({ mount: entry.path }),
      mount: entry,
    });
    this.#backends.set(entry.uuid, backend);
    return backend;
  }

  async unmount(entry: MountEntry): Promise<void> {
    const backend = this.#backends.get(entry.uuid);
    this.#backends.delete(entry.uuid);
    await backend?.cleanup?.();
  }

  async mountAll(): Promise<void> {
    for (const entry of this.#table.all()) {
      if (!this.#backends.has(entry.uuid)) await this.mount(entry);
    }
  }

  async unmountAll(): Promise<void> {
    for (const [uuid, backend] of this.#backends) {
      this.#backends.delete(uuid);
      await backend.cleanup?.();
    }
  }

  /** The mounted backend of a mount, by the mount's uuid. */
  backendFor(uuid: string): Backend | undefined {
    return this.#backends.get(uuid);
  }

  route(path: string): RouteMatch | undefined {
    const entry = this.#table.match(path);
    if (!entry) return undefined;
    const backend = this.#backends.get(entry.uuid);
    if (!backend) return undefined;
    // The rest after the mount (whose path ends in `/`), without a trailing slash.
    const mountPath = path.length >= entry.path.length ? path.slice(entry.path.length) : '';
    return { entry, backend, mountPath };
  }

  /** Every mounted backend, for OpenAPI and the help test. */
  mounted(): Array<{ entry: MountEntry; backend: Backend }> {
    return this.#table
      .all()
      .map((entry) => ({ entry, backend: this.#backends.get(entry.uuid) }))
      .filter((m): m is { entry: MountEntry; backend: Backend } => m.backend !== undefined);
  }
}
