import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';

/** Argon2id cost parameters (memory in KiB). */
export interface Argon2Params {
  memory: number;
  passes: number;
  parallelism: number;
  tagLength: number;
}

/** OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane (~20–50 ms on a server core). */
export const DEFAULT_ARGON2: Readonly<Argon2Params> = {
  memory: 19 * 1024,
  passes: 2,
  parallelism: 1,
  tagLength: 32,
};

const SALT_BYTES = 16;

/** What is stored for a password: never the password itself. */
export interface StoredPassword {
  algorithm: 'argon2id';
  /** base64 */
  hash: string;
  /** base64, random per user */
  salt: string;
  params: Argon2Params;
}

/**
 * Argon2 computations running at once, process-wide. Each holds `memory` KiB (19 MiB by default)
 * and a libuv pool thread for tens of milliseconds. The pool (UV_THREADPOOL_SIZE, default 4) also
 * runs file I/O such as the audit log's fsync, so two of its threads are left for that; and more
 * than one per core adds memory and delay, not throughput.
 */
const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4;
export const ARGON2_CONCURRENCY = Math.max(1, Math.min(availableParallelism(), POOL_THREADS - 2));
let running = 0;
const waiting: Array<() => void> = [];

async function argon2id(message: string, nonce: Buffer, p: Argon2Params): Promise<Buffer> {
  if (running >= ARGON2_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await argon2idNow(message, nonce, p);
  } finally {
    // The slot passes straight to the next waiter, if any.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function argon2idNow(message: string, nonce: Buffer, p: Argon2Params): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message,
        nonce,
        parallelism: p.parallelism,
        tagLength: p.tagLength,
        memory: p.memory,
        passes: p.passes,
      },
      (err, key) => (err ? reject(err) : resolve(Buffer.from(key))),
    );
  });
}

/**
 * Hashes and verifies passwords on libuv's thread pool (the event loop is not blocked). A check
 * for an unknown user runs the same computation against a dummy hash, so it costs what a wrong
 * password costs and does not reveal which users exist.
 */
export class PasswordHasher {
  readonly params: Readonly<Argon2Params>;
  readonly #dummy: StoredPassword;

  constructor(params: Partial<Argon2Params> = {}) {
    this.params = { ...DEFAULT_ARGON2, ...params };
    this.#dummy = {
      algorithm: 'argon2id',
      hash: randomBytes(this.params.tagLength).toString('base64'),
      salt: randomBytes(SALT_BYTES).toString('base64'),
      params: { ...this.params },
    };
  }

  async hash(password: string): Promise<StoredPassword> {
    const salt = randomBytes(SALT_BYTES);
    const hash = await argon2id(password, salt, this.params);
    return {
      algorithm: 'argon2id',
      hash: hash.toString('base64'),
      salt: salt.toString('base64'),
      params: { ...this.params },
    };
  }

  /** Constant-time check. `stored` undefined (unknown user): the same work, then false. */
  async verify(password: string, stored: StoredPassword | undefined): Promise<boolean> {
    const entry = stored ?? this.#dummy;
    const want = Buffer.from(entry.hash, 'base64');
    const got = await argon2id(password, Buffer.from(entry.salt, 'base64'), entry.params);
    const same = got.length === want.length && timingSafeEqual(got, want);
    return same && stored !== undefined;
  }

  /** Whether a stored hash was made with other parameters than the current ones (rehash it). */
  outdated(stored: StoredPassword): boolean {
    const p = stored.params;
    return (
      p.memory !== this.params.memory ||
      p.passes !== this.params.passes ||
      p.parallelism !== this.params.parallelism ||
      p.tagLength !== this.params.tagLength
    );
  }
}
