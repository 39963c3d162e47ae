import { randomBytes, randomUUID } from 'node:crypto';
import { BadRequestError, IntegrityError, NotInitializedError, SealedError } from '../../sdk/errors.ts';
import type { Storage, StorageOp } from '../../storage/storage.ts';
import { aesKey, decrypt, encrypt, KEY_LENGTH } from '../barrier/aead.ts';
import type { Barrier } from '../barrier/barrier.ts';
import {
  parseConfig,
  ROOT_KEY_PATH,
  SEAL_CONFIG_PATH,
  type SealConfig,
  type ShareParams,
  serializeConfig,
  shareLength,
  UNSEAL_KEY_LENGTH,
  validateShareParams,
} from './config.ts';
import { split } from './shamir.ts';
import { decodeShare, ShareCollector } from './shares.ts';

/** The body of `sys/seal-status`, in Vault's shape. */
export interface SealStatus {
  type: 'shamir';
  initialized: boolean;
  sealed: boolean;
  /** Threshold and number of shares; 0 before initialization. */
  t: number;
  n: number;
  /** Shares submitted in the current unseal round. */
  progress: number;
  /** Names the current unseal round; '' when no share is held. */
  nonce: string;
  version: string;
  build_date: string;
  migration: false;
  recovery_seal: false;
  storage_type: string;
}

/** The body of `sys/rekey/init` and of an incomplete `sys/rekey/update`. */
export interface RekeyStatus {
  nonce: string;
  started: boolean;
  /** The new threshold and number of shares. */
  t: number;
  n: number;
  progress: number;
  /** How many current shares the rekey needs (the current threshold). */
  required: number;
  verification_required: false;
}

export interface RekeyResult {
  complete: true;
  nonce: string;
  keys: string[];
  keys_base64: string[];
}

export interface SealManagerOptions {
  /** The physical storage under the barrier (the seal's keys are stored unencrypted). */
  physical: Storage;
  barrier: Barrier;
  /** For the status: e.g. 'inmem', 'sqlite'. Default ''. */
  storageType?: string;
  /** For the status: Coffer's version. Default '0.0.0'. */
  version?: string;
  /** For the status. Default ''. */
  buildDate?: string;
}

interface Rekey {
  nonce: string;
  params: ShareParams;
  collector: ShareCollector;
}

/**
 * The Shamir seal: a random 32-byte unseal key, split into shares, wraps the root key (stored at
 * `core/seal/root-key`); the root key unseals the barrier. Shares are collected across calls
 * until the threshold is met. Every Buffer of key material it holds (shares, unseal key, root key)
 * is zeroed as soon as it is used, and on reset, cancel and seal.
 */
export class SealManager {
  readonly #physical: Storage;
  readonly #barrier: Barrier;
  readonly #info: { storageType: string; version: string; buildDate: string };
  readonly #unseal = new ShareCollector();
  #rekey: Rekey | undefined;
  /** The last config read or written, for the synchronous rekeyStatus(). */
  #lastConfig: SealConfig | undefined;
  /** initialize, unseal and rekey steps run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SealManagerOptions) {
    this.#physical = options.physical;
    this.#barrier = options.barrier;
    this.#info = {
      storageType: options.storageType ?? '',
      version: options.version ?? '0.0.0',
      buildDate: options.buildDate ?? '',
    };
  }

  /** Once true it stays true (nothing un-initializes a store), so health probes stop reading storage. */
  async isInitialized(): Promise<boolean> {
    if (this.#initialized) return true;
    this.#initialized = (await this.#physical.get(SEAL_CONFIG_PATH)) !== undefined;
    return this.#initialized;
  }
  #initialized = false;

  /**
   * Creates the root key, the unseal key and the keyring, all in one storage batch, and splits the
   * unseal key into shares (one share = the unseal key itself). Leaves the barrier sealed.
   *
   * Returns the shares and the root key. The caller owns both Buffers: it may unseal the barrier
   * with `rootKey` once (e.g. to create the root token), then must seal and `rootKey.fill(0)`, and
   * zero the shares once encoded for the operator.
   */
  initialize(params: ShareParams): Promise<{ shares: Buffer[]; rootKey: Buffer }> {
    return this.#exclusive(async () => {
      validateShareParams(params);
      if (await this.isInitialized()) throw new BadRequestError('Coffer is already initialized');
      const config: SealConfig = {
        type: 'shamir',
        secret_shares: params.secret_shares,
        secret_threshold: params.secret_threshold,
      };
      const rootKey = freshKey();
      const unsealKey = freshKey();
      try {
        await this.#barrier.initialize(rootKey, { alsoWrite: sealWrites(config, unsealKey, rootKey) });
        this.#lastConfig = config;
        return { shares: makeShares(unsealKey, config), rootKey };
      } catch (err) {
        rootKey.fill(0);
        throw err;
      } finally {
        unsealKey.fill(0);
      }
    });
  }

  /**
   * Adds one share (hex or base64 string, or raw bytes) to the unseal round. At the threshold,
   * recovers the unseal key, unwraps the root key and unseals the barrier. A wrong key resets the
   * round. When already unsealed, returns the status and ignores the share.
   */
  submitUnsealKey(share: string | Buffer): Promise<SealStatus> {
    return this.#exclusive(async () => {
      const config = await this.#requireConfig();
      if (!this.#barrier.sealed) return this.#status(config);
      const bytes = decodeShare(share, shareLength(config));
      if (!this.#unseal.add(bytes)) throw new BadRequestError('Coffer already has this unseal key');
      if (this.#unseal.progress < config.secret_threshold) return this.#status(config);

      const rootKey = await this.#recoverRootKey(this.#unseal, 'unseal failed: invalid key');
      try {
        await this.#barrier.unseal(rootKey);
      } finally {
        rootKey.fill(0);
      }
      return this.#status(config);
    });
  }

  /** Forgets the shares of the current unseal round. */
  resetUnseal(): void {
    this.#unseal.reset();
  }

  /** Seals the barrier, forgets the unseal round and cancels any rekey. */
  async seal(): Promise<void> {
    this.#barrier.seal();
    this.#unseal.reset();
    this.rekeyCancel();
  }

  async status(): Promise<SealStatus> {
    return this.#status(await this.#readConfig());
  }

  /** Starts a rekey to `params` (new shares for the same root key). One at a time; needs unsealed. */
  rekeyInit(params: ShareParams): Promise<RekeyStatus> {
    return this.#exclusive(async () => {
      const config = await this.#requireConfig();
      if (this.#barrier.sealed) throw new SealedError();
      validateShareParams(params);
      if (this.#rekey !== undefined) throw new BadRequestError('rekey already in progress');
      this.#rekey = {
        nonce: randomUUID(),
        params: { secret_shares: params.secret_shares, secret_threshold: params.secret_threshold },
        collector: new ShareCollector(),
      };
      return this.#rekeyStatus(config);
    });
  }

  /**
   * The rekey in progress. Synchronous: `required` comes from the config as last read (any
   * status, unseal or rekey call reads it); 0 if it has not been read yet.
   */
  rekeyStatus(): RekeyStatus {
    return this.#rekeyStatus(this.#lastConfig);
  }

  /** Cancels the rekey in progress, if any, and zeroes the shares it collected. */
  rekeyCancel(): void {
    this.#rekey?.collector.reset();
    this.#rekey = undefined;
  }

  /**
   * Adds one current share to the rekey named by `nonce`. At the current threshold: verifies the
   * shares by unwrapping the root key, makes a new unseal key, re-wraps the root key under it and
   * stores the new config, and returns the new shares. Old shares stop working at that point.
   * A wrong key resets the collected shares but keeps the rekey open.
   */
  rekeyUpdate(share: string | Buffer, nonce: string): Promise<RekeyStatus | RekeyResult> {
    return this.#exclusive(async () => {
      const config = await this.#requireConfig();
      if (this.#barrier.sealed) throw new SealedError();
      const rekey = this.#rekey;
      if (rekey === undefined) throw new BadRequestError('no rekey is in progress');
      if (nonce !== rekey.nonce) throw new BadRequestError('incorrect nonce');
      const bytes = decodeShare(share, shareLength(config));
      if (!rekey.collector.add(bytes)) throw new BadRequestError('Coffer already has this key share');
      if (rekey.collector.progress < config.secret_threshold) return this.#rekeyStatus(config);

      const rootKey = await this.#recoverRootKey(rekey.collector, 'rekey failed: invalid key');
      const next: SealConfig = { type: 'shamir', ...rekey.params };
      const unsealKey = freshKey();
      let shares: Buffer[];
      try {
        await this.#physical.batch(sealWrites(next, unsealKey, rootKey));
        this.#lastConfig = next;
        shares = makeShares(unsealKey, next);
      } finally {
        rootKey.fill(0);
        unsealKey.fill(0);
      }
      if (this.#rekey === rekey) this.#rekey = undefined;
      const result: RekeyResult = {
        complete: true,
        nonce: rekey.nonce,
        keys: shares.map((s) => s.toString('hex')),
        keys_base64: shares.map((s) => s.toString('base64')),
      };
      for (const s of shares) s.fill(0);
      return result;
    });
  }

  /** Combines the collected shares and unwraps the root key; any failure is `message`, generic. */
  async #recoverRootKey(collector: ShareCollector, message: string): Promise<Buffer> {
    let unsealKey: Buffer;
    try {
      unsealKey = collector.recover(); // resets the round, whatever happens next
    } catch (err) {
      throw new BadRequestError(message, { cause: err });
    }
    let rootKey: Buffer;
    try {
      const wrapped = await this.#physical.get(ROOT_KEY_PATH);
      if (wrapped === undefined) throw new IntegrityError('the wrapped root key is missing');
      try {
        rootKey = decrypt(aesKey(unsealKey), 0, wrapped, ROOT_KEY_PATH);
      } catch (err) {
        throw new BadRequestError(message, { cause: err });
      }
    } finally {
      unsealKey.fill(0);
    }
    if (rootKey.length !== KEY_LENGTH) {
      rootKey.fill(0);
      throw new IntegrityError('the wrapped root key is malformed');
    }
    return rootKey;
  }

  async #readConfig(): Promise<SealConfig | undefined> {
    const bytes = await this.#physical.get(SEAL_CONFIG_PATH);
    this.#lastConfig = bytes === undefined ? undefined : parseConfig(bytes);
    return this.#lastConfig;
  }

  async #requireConfig(): Promise<SealConfig> {
    const config = await this.#readConfig();
    if (config === undefined) throw new NotInitializedError();
    return config;
  }

  #status(config: SealConfig | undefined): SealStatus {
    return {
      type: 'shamir',
      initialized: config !== undefined,
      sealed: this.#barrier.sealed,
      t: config?.secret_threshold ?? 0,
      n: config?.secret_shares ?? 0,
      progress: this.#unseal.progress,
      nonce: this.#unseal.nonce,
      version: this.#info.version,
      build_date: this.#info.buildDate,
      migration: false,
      recovery_seal: false,
      storage_type: this.#info.storageType,
    };
  }

  #rekeyStatus(config: SealConfig | undefined): RekeyStatus {
    const r = this.#rekey;
    return {
      nonce: r?.nonce ?? '',
      started: r !== undefined,
      t: r?.params.secret_threshold ?? 0,
      n: r?.params.secret_shares ?? 0,
      progress: r?.collector.progress ?? 0,
      required: config?.secret_threshold ?? 0,
      verification_required: false,
    };
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => {});
    return run;
  }
}

/** The seal's two physical records: its config and the root key wrapped by the unseal key. */
function sealWrites(config: SealConfig, unsealKey: Buffer, rootKey: Buffer): StorageOp[] {
  return [
    { op: 'put', key: SEAL_CONFIG_PATH, value: serializeConfig(config) },
    { op: 'put', key: ROOT_KEY_PATH, value: encrypt(aesKey(unsealKey), 0, rootKey, ROOT_KEY_PATH) },
  ];
}

function makeShares(unsealKey: Buffer, config: SealConfig): Buffer[] {
  if (config.secret_shares > 1) return split(unsealKey, config.secret_shares, config.secret_threshold);
  const only = Buffer.alloc(UNSEAL_KEY_LENGTH);
  unsealKey.copy(only);
  return [only];
}

function freshKey(): Buffer {
  const random = randomBytes(KEY_LENGTH);
  const key = Buffer.alloc(KEY_LENGTH);
  random.copy(key);
  random.fill(0);
  return key;
}
