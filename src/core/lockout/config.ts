import { InvalidFieldError } from '../../sdk/errors.ts';
import { parseDuration } from '../../sdk/framework/duration.ts';

/** Vault's user lockout settings. Durations in seconds. */
export interface LockoutConfig {
  /** Failed logins after which the alias is locked (default 5). */
  lockout_threshold: number;
  /** How long a lock lasts (default 15 min). */
  lockout_duration: number;
  /** Failures older than this no longer count (default 15 min). */
  lockout_counter_reset: number;
  disable_lockout: boolean;
}

export const DEFAULT_LOCKOUT: Readonly<LockoutConfig> = {
  lockout_threshold: 5,
  lockout_duration: 15 * 60,
  lockout_counter_reset: 15 * 60,
  disable_lockout: false,
};

/** The auth method types Vault applies user lockout to. */
export const LOCKOUT_MOUNT_TYPES: readonly string[] = ['userpass', 'approle', 'ldap'];

/** Names accepted in a mount's `user_lockout_config` (Vault's tune keys, then Coffer's). */
const KEYS: Record<string, keyof LockoutConfig> = {
  lockout_threshold: 'lockout_threshold',
  lockout_duration: 'lockout_duration',
  lockout_counter_reset_duration: 'lockout_counter_reset',
  lockout_counter_reset: 'lockout_counter_reset',
  lockout_disable: 'disable_lockout',
  disable_lockout: 'disable_lockout',
};

function bad(key: string, want: string): never {
  throw new InvalidFieldError(`field "user_lockout_config.${key}": expected ${want}`);
}

/**
 * Validates a tune's `user_lockout_config` (Vault sends strings: `{"lockout_threshold": "10",
 * "lockout_duration": "20m", "lockout_counter_reset_duration": "1h", "lockout_disable": "false"}`)
 * and answers the normalized partial config to store with the mount (only the keys given).
 */
export function parseUserLockoutConfig(raw: Record<string, unknown>): Partial<LockoutConfig> {
  const out: Partial<LockoutConfig> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = KEYS[key];
    if (!name) throw new InvalidFieldError(`unknown field "user_lockout_config.${key}"`);
    if (value === '' || value === null || value === undefined) continue;
    switch (name) {
      case 'lockout_threshold': {
        const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) bad(key, 'a non-negative integer');
        out.lockout_threshold = n;
        break;
      }
      case 'lockout_duration':
      case 'lockout_counter_reset': {
        const secs = parseDuration(value);
        if (secs === undefined || secs < 0) bad(key, 'a duration such as "15m"');
        out[name] = secs;
        break;
      }
      case 'disable_lockout': {
        if (value === true || value === 'true' || value === '1') out.disable_lockout = true;
        else if (value === false || value === 'false' || value === '0') out.disable_lockout = false;
        else bad(key, 'a boolean');
        break;
      }
    }
  }
  return out;
}

/**
 * The effective config of a mount: its stored `user_lockout_config` (raw or already parsed) over
 * the server's `user_lockout` stanza over Vault's defaults. A threshold of 0 disables lockout.
 */
export function resolveLockoutConfig(
  mount?: Record<string, unknown>,
  server: Partial<LockoutConfig> = {},
): LockoutConfig {
  const merged: LockoutConfig = { ...DEFAULT_LOCKOUT, ...server, ...parseUserLockoutConfig(mount ?? {}) };
  if (merged.lockout_threshold === 0) merged.disable_lockout = true;
  if (merged.lockout_duration === 0) merged.lockout_duration = DEFAULT_LOCKOUT.lockout_duration;
  if (merged.lockout_counter_reset === 0)
    merged.lockout_counter_reset = DEFAULT_LOCKOUT.lockout_counter_reset;
  return merged;
}

/** The tune read shape (`sys/auth/:path/tune`): Vault's `user_lockout_*` fields. */
export function lockoutTuneJSON(c: LockoutConfig): Record<string, unknown> {
  return {
    user_lockout_counter_reset_duration: c.lockout_counter_reset,
    user_lockout_disable: c.disable_lockout,
    user_lockout_duration: c.lockout_duration,
    user_lockout_threshold: c.lockout_threshold,
  };
}
