import { randomBytes } from 'node:crypto';

/** What engines may ask of core: time, randomness, TTL limits. Injected so tests are exact. */
export interface SystemView {
  now(): Date;
  random(bytes: number): Buffer;
  /** Seconds; the mount's tuned value, else the system default. */
  defaultLeaseTTL(): number;
  maxLeaseTTL(): number;
}

export const SYSTEM_DEFAULT_LEASE_TTL = 32 * 24 * 3600;
export const SYSTEM_MAX_LEASE_TTL = 32 * 24 * 3600;

export function realSystemView(overrides: Partial<SystemView> = {}): SystemView {
  return {
    now: () => new Date(),
    random: (n) => randomBytes(n),
    defaultLeaseTTL: () => SYSTEM_DEFAULT_LEASE_TTL,
    maxLeaseTTL: () => SYSTEM_MAX_LEASE_TTL,
    ...overrides,
  };
}
