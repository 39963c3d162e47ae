import { randomUUID } from 'node:crypto';
import { BadRequestError } from '../../sdk/errors.ts';
import type { StorageView } from '../../sdk/storage-view.ts';

/** One row of the mount table, as persisted (behind the barrier) and as `sys/mounts` shows it. */
export interface MountEntry {
  path: string; // ends with '/'
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  options: Record<string, string>;
  config: MountConfig;
  local: boolean;
  seal_wrap: boolean;
  /** Built in, can't be disabled or moved (sys/, auth/token/, identity/, cubbyhole/). */
  builtin?: boolean;
  /** `auth` for auth methods (paths under `auth/`), else a secrets engine. */
  table?: 'secret' | 'auth';
}

export type MountKind = 'secret' | 'auth';
export const kindOf = (e: MountEntry): MountKind => e.table ?? 'secret';

export interface MountConfig {
  default_lease_ttl: number; // seconds, 0 = system default
  max_lease_ttl: number;
  force_no_cache: boolean;
  audit_non_hmac_request_keys?: string[];
  audit_non_hmac_response_keys?: string[];
  listing_visibility?: string;
  passthrough_request_headers?: string[];
  allowed_response_headers?: string[];
  /** Auth mounts: Vault's `user_lockout_config` (lockout_threshold, lockout_duration, ...). */
  user_lockout_config?: Record<string, unknown>;
  /** Auth mounts: `default-service`, `service`, `batch`, ... */
  token_type?: string;
}

const TABLE_KEY = 'core/mounts';
/** Paths no secrets engine may take. */
const RESERVED = ['sys/', 'auth/', 'cubbyhole/', 'identity/'];
const MOUNT_PATH_RE = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*\/$/;

/** Normalizes a user-given mount path to `a/b/`. Throws on an invalid one. */
export function normalizeMountPath(input: string): string {
  const p = input.replace(/^\/+/, '').replace(/\/*$/, '/');
  if (p === '/' || !MOUNT_PATH_RE.test(p) || p.split('/').some((seg) => seg === '.' || seg === '..')) {
    throw new BadRequestError(`invalid mount path "${input}"`);
  }
  return p;
}

/** The mount table: persisted list of entries, longest-prefix lookups. */
export class MountTable {
  readonly #storage: StorageView;
  #entries: MountEntry[] = [];

  constructor(storage: StorageView) {
    this.#storage = storage;
  }

  /** Loads the table; built-in mounts missing from it (a table written by an older version) are added. */
  async load(builtins: () => MountEntry[]): Promise<void> {
    const stored = await this.#storage.getJSON<MountEntry[]>(TABLE_KEY);
    this.#entries = stored ?? [];
    const missing = builtins().filter((b) => !this.#entries.some((e) => e.path === b.path));
    if (missing.length > 0 || !stored) {
      this.#entries.push(...missing);
      await this.#persist();
    }
  }

  clear(): void {
    this.#entries = [];
  }

  all(): readonly MountEntry[] {
    return [...this.#entries].sort((a, b) => a.path.localeCompare(b.path));
  }

  get(path: string): MountEntry | undefined {
    return this.#entries.find((e) => e.path === path);
  }

  /** The mount whose path is the longest prefix of `path` (a request path without a trailing slash). */
  match(path: string): MountEntry | undefined {
    const withSlash = `${path}/`;
    let best: MountEntry | undefined;
    for (const e of this.#entries) {
      if (withSlash.startsWith(e.path) && (!best || e.path.length > best.path.length)) best = e;
    }
    return best;
  }

  /** Refuses a path that is taken, reserved, or nested in / around another mount. */
  checkFree(path: string, kind: MountKind): void {
    if (kind === 'secret' && RESERVED.some((r) => path.startsWith(r))) {
      throw new BadRequestError(`cannot mount at reserved path "${path}"`);
    }
    if (
      kind === 'auth' &&
      (!path.startsWith('auth/') || path === 'auth/' || path.startsWith('auth/token/'))
    ) {
      throw new BadRequestError(`cannot enable an auth method at "${path}"`);
    }
    for (const e of this.#entries) {
      if (e.path === path) throw new BadRequestError(`path is already in use at ${path}`);
      if (path.startsWith(e.path) || e.path.startsWith(path)) {
        throw new BadRequestError(`path "${path}" conflicts with existing mount "${e.path}"`);
      }
    }
  }

  async add(
    entry: Omit<MountEntry, 'uuid' | 'accessor'> & Partial<Pick<MountEntry, 'uuid' | 'accessor'>>,
  ): Promise<MountEntry> {
    const full: MountEntry = {
      ...entry,
      uuid: entry.uuid ?? randomUUID(),
      accessor: entry.accessor ?? `${entry.type}_${randomUUID().slice(0, 8)}`,
    };
    this.#entries.push(full);
    await this.#persist();
    return full;
  }

  async remove(path: string): Promise<MountEntry | undefined> {
    const entry = this.get(path);
    if (!entry) return undefined;
    this.#entries = this.#entries.filter((e) => e !== entry);
    await this.#persist();
    return entry;
  }

  async update(path: string, change: (e: MountEntry) => void): Promise<MountEntry> {
    const entry = this.get(path);
    if (!entry) throw new BadRequestError(`no mount at "${path}"`);
    const before = structuredClone(entry);
    change(entry);
    try {
      await this.#persist();
    } catch (err) {
      Object.assign(entry, before);
      throw err;
    }
    return entry;
  }

  async #persist(): Promise<void> {
    await this.#storage.putJSON(TABLE_KEY, this.#entries);
  }
}
