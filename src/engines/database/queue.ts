/** A counting semaphore: at most `max` tasks run at once, the rest wait in order. */
export class Limiter {
  readonly max: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max = Number.POSITIVE_INFINITY) {
    this.max = max > 0 ? max : Number.POSITIVE_INFINITY;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await fn();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}

/** Runs tasks with the same key one after the other (rotations of one role, of one root). */
export { KeyedLock as KeyedMutex } from '../../sdk/keyed-lock.ts';

/** Whether a plugin marked an error as transient (`err.retryable === true`). */
export function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === true;
}
