import { randomBytes } from 'node:crypto';

/** What engines may ask of core: time, randomness, TTL limits. Injected so tests are exact. */
export interface SystemView {
  now(): Date;
  random(bytes: number): Buffer;
  /** Seconds; the mount's tuned value, else the system default. */
  defaultLeaseTTL(): number;
  maxLeaseTTL(): number;
  /**
   * A password from the named password policy (`sys/policies/password/:name`), or from the
   * default rules (20 characters, letters and digits, at least one of each kind) without a name.
   */
  generatePassword(policyName?: string): Promise<string>;
}

export const SYSTEM_DEFAULT_LEASE_TTL = 32 * 24 * 3600;
export const SYSTEM_MAX_LEASE_TTL = 32 * 24 * 3600;

export function realSystemView(overrides: Partial<SystemView> = {}): SystemView {
  return {
    now: () => new Date(),
    random: (n) => randomBytes(n),
    defaultLeaseTTL: () => SYSTEM_DEFAULT_LEASE_TTL,
    maxLeaseTTL: () => SYSTEM_MAX_LEASE_TTL,
    generatePassword: async (policyName) => {
      if (policyName) throw new Error(`password policy "${policyName}" is not available here`);
      return defaultPassword();
    },
    ...overrides,
  };
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 20 characters from [A-Za-z0-9] with a lower, an upper and a digit, no modulo bias. */
export function defaultPassword(length = 20): string {
  for (;;) {
    let out = '';
    while (out.length < length) {
      for (const b of randomBytes(length * 2)) {
        if (b < 248 && out.length < length) out += ALNUM[b % 62];
      }
    }
    if (/[a-z]/.test(out) && /[A-Z]/.test(out) && /[0-9]/.test(out)) return out;
  }
}
