/** Tier-1 harnesses for the token store and the `auth/token/` path table. */
import {
  type Backend,
  createBackend,
  type Operation,
  type Request,
  type RequestAuth,
  type Response,
  realSystemView,
  StorageView,
  silentLogger,
} from '../../sdk/index.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import type { Storage } from '../../storage/storage.ts';
import { tokenBackendDefinition } from './backend.ts';
import type { TokenPathDeps } from './deps.ts';
import type { TokenEntry } from './token-entry.ts';
import { TokenStore } from './token-store.ts';

export const START = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
export const DAY = 24 * 3600;

export interface Clock {
  ms: number;
  advance(seconds: number): void;
}

export function makeClock(): Clock {
  const clock = {
    ms: START,
    advance(seconds: number) {
      clock.ms += seconds * 1000;
    },
  };
  return clock;
}

export interface StoreHarness {
  store: TokenStore;
  inner: Storage;
  view: StorageView;
  clock: Clock;
  revoked: TokenEntry[];
  limits: { default: number; max: number };
  root: { id: string; entry: TokenEntry };
  /** A new store over the same storage and clock (a restart). */
  restart(): Promise<TokenStore>;
}

export async function storeHarness(inner: Storage = new InmemStorage()): Promise<StoreHarness> {
  const clock = makeClock();
  const revoked: TokenEntry[] = [];
  const limits = { default: 3600, max: DAY };
  const view = new StorageView(inner, 'sys/token/');
  const make = async () => {
    const store = new TokenStore(view, {
      now: () => clock.ms,
      limits: { defaultTTL: () => limits.default, maxTTL: () => limits.max },
      onRevoke: async (entries) => {
        revoked.push(...entries);
      },
    });
    await store.load();
    return store;
  };
  const store = await make();
  const root = await store.createRoot();
  return { store, inner, view, clock, revoked, limits, root, restart: make };
}

export interface BackendHarness extends StoreHarness {
  backend: Backend;
  /** Policies for which canSudo answers true (besides root, which always may). */
  sudoTokens: Set<string>;
  /** Runs an operation as the holder of `token` (its auth filled in as core would). */
  call(
    operation: Operation,
    mountPath: string,
    data?: Record<string, unknown>,
    token?: string,
    extra?: Partial<Request>,
  ): Promise<Response>;
}

export async function backendHarness(): Promise<BackendHarness> {
  const h = await storeHarness();
  const sudoTokens = new Set<string>();
  const deps: TokenPathDeps = {
    store: h.store,
    canSudo: async (req) => sudoTokens.has(req.clientToken),
  };
  const backend = createBackend(tokenBackendDefinition(deps), {
    storage: new StorageView(new InmemStorage(), 'auth/token/'),
    system: realSystemView({ now: () => new Date(h.clock.ms) }),
    logger: silentLogger,
    mount: { path: 'auth/token/', type: 'token', accessor: 'auth_token_test', uuid: 'u', options: {} },
  });
  const call: BackendHarness['call'] = async (
    operation,
    mountPath,
    data = {},
    token = h.root.id,
    extra = {},
  ) => {
    const entry = await h.store.lookup(token);
    const auth: RequestAuth | undefined = entry && {
      tokenHash: entry.hash,
      accessor: entry.accessor,
      policies: entry.policies,
      tokenPolicies: entry.policies,
      identityPolicies: [],
      entityId: entry.entityId,
      displayName: entry.displayName,
      metadata: entry.meta,
      tokenType: entry.type,
      path: entry.path,
    };
    return backend.handle({
      id: 'req-1',
      operation,
      path: `auth/token/${mountPath}`,
      data,
      headers: {},
      clientToken: token,
      remoteAddr: '127.0.0.1',
      mountPoint: 'auth/token/',
      mountPath,
      ...(auth ? { auth } : {}),
      ...extra,
    });
  };
  return { ...h, backend, sudoTokens, call };
}
