/**
 * An in-memory stand-in for what core gives wrapping: tokens with the semantics WrappingDeps
 * promises (single use, atomic consume-and-revoke, expiry, revocation destroys the cubbyhole) over
 * real StorageViews. Optional jitter makes every storage call and token call yield a random few
 * milliseconds, so concurrent callers interleave as they would against a real store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { destroyCubbyhole } from '../../engines/cubbyhole/store.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import type { Storage, StorageOp } from '../../storage/storage.ts';
import type { WrappingDeps, WrappingTokenInfo } from './wrap.ts';
import { RESPONSE_WRAPPING_POLICY } from './wrap.ts';

interface FakeToken extends WrappingTokenInfo {
  usesLeft: number;
}

export interface FakeWrapping {
  deps: WrappingDeps & { tokenFromRequest(req: { clientToken: string }): string };
  inmem: InmemStorage;
  /** Epoch ms of the injected clock. */
  clock: { ms: number; advance(seconds: number): void };
  /** Adds a token that is not a wrapping token (a normal service token). */
  addPlainToken(): string;
  /** How many tokens are live (not revoked). */
  liveTokens(): number;
  /** While true, cubbyhole writes fail (to test cleanup). */
  failWrites: { value: boolean };
}

const pause = (jitter: boolean) =>
  jitter ? new Promise<void>((r) => setTimeout(r, Math.floor(Math.random() * 3))) : Promise.resolve();

class JitteryStorage implements Pick<Storage, 'get' | 'put' | 'delete' | 'list' | 'batch'> {
  readonly #inner: InmemStorage;
  readonly #jitter: boolean;
  readonly #fail: { value: boolean };
  constructor(inner: InmemStorage, jitter: boolean, fail: { value: boolean }) {
    this.#inner = inner;
    this.#jitter = jitter;
    this.#fail = fail;
  }
  async get(key: string) {
    await pause(this.#jitter);
    return this.#inner.get(key);
  }
  async put(key: string, value: Buffer) {
    await pause(this.#jitter);
    if (this.#fail.value) throw new Error('storage write failed');
    return this.#inner.put(key, value);
  }
  async delete(key: string) {
    await pause(this.#jitter);
    return this.#inner.delete(key);
  }
  async list(prefix: string) {
    await pause(this.#jitter);
    return this.#inner.list(prefix);
  }
  async batch(ops: StorageOp[]) {
    await pause(this.#jitter);
    return this.#inner.batch(ops);
  }
}

export const FAKE_START = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

export function fakeWrapping(opts: { jitter?: boolean } = {}): FakeWrapping {
  const jitter = opts.jitter ?? false;
  const inmem = new InmemStorage();
  const failWrites = { value: false };
  const cubbyhole = new StorageView(new JitteryStorage(inmem, jitter, failWrites), 'logical/cubbyhole/');
  const clock = {
    ms: FAKE_START,
    advance(seconds: number) {
      clock.ms += seconds * 1000;
    },
  };
  const now = () => new Date(clock.ms);
  /** By hash of the id: the fake, like the real store, never keys anything by the id itself. */
  const tokens = new Map<string, FakeToken>();
  const hashOf = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');
  const live = (id: string): FakeToken | undefined => {
    const t = tokens.get(hashOf(id));
    if (!t) return undefined;
    if (t.ttl > 0 && clock.ms >= t.creationTime.getTime() + t.ttl * 1000) return undefined;
    return t;
  };
  const revoke = async (t: FakeToken) => {
    tokens.delete(t.hash);
    await destroyCubbyhole(cubbyhole, t.hash);
  };
  const newId = () => `hvs.${randomBytes(18).toString('base64url')}`;

  const deps: FakeWrapping['deps'] = {
    cubbyhole,
    now,
    tokenFromRequest: (req) => req.clientToken,
    async createWrappingToken(ttl, creationPath) {
      await pause(jitter);
      const id = newId();
      const entry: FakeToken = {
        hash: hashOf(id),
        accessor: randomBytes(12).toString('base64url'),
        policies: [RESPONSE_WRAPPING_POLICY],
        creationTime: now(),
        ttl,
        creationPath,
        usesLeft: 1,
      };
      tokens.set(entry.hash, entry);
      return { id, accessor: entry.accessor, hash: entry.hash, creationTime: entry.creationTime };
    },
    async lookupWrappingToken(id) {
      await pause(jitter);
      const t = live(id);
      if (!t) return undefined;
      const { usesLeft: _, ...info } = t;
      return info;
    },
    async useAndRevoke(id) {
      await pause(jitter);
      // Check and consume in one synchronous step: the atomicity a real store gets from a lock or
      // a conditional write.
      const t = live(id);
      if (!t || t.usesLeft < 1) return false;
      t.usesLeft -= 1;
      tokens.delete(t.hash);
      await revoke(t);
      return true;
    },
  };
  return {
    deps,
    inmem,
    clock,
    failWrites,
    addPlainToken() {
      const id = newId();
      tokens.set(hashOf(id), {
        hash: hashOf(id),
        accessor: 'plain',
        policies: ['default'],
        creationTime: now(),
        ttl: 3600,
        creationPath: 'auth/token/create',
        usesLeft: 0,
      });
      return id;
    },
    liveTokens: () =>
      [...tokens.keys()].filter((h) => {
        const t = tokens.get(h)!;
        return t.ttl === 0 || clock.ms < t.creationTime.getTime() + t.ttl * 1000;
      }).length,
  };
}
