import { IntegrityError, InvalidFieldError } from '../../sdk/errors.ts';
import { SEAL_PREFIX } from '../barrier/barrier.ts';

/** The seal's physical (unencrypted) keys; the barrier refuses to touch them. */
export const SEAL_CONFIG_PATH = `${SEAL_PREFIX}config`;
/** The root key, encrypted with the unseal key (format of ../barrier/aead.ts, term 0, AAD = this path). */
export const ROOT_KEY_PATH = `${SEAL_PREFIX}root-key`;

export const UNSEAL_KEY_LENGTH = 32;

/** What `core/seal/config` holds: nothing secret. */
export interface SealConfig {
  type: 'shamir';
  secret_shares: number;
  secret_threshold: number;
}

export interface ShareParams {
  secret_shares: number;
  secret_threshold: number;
}

/**
 * Vault's rules: 1 <= shares <= 255, 1 <= threshold <= shares, and threshold 1 only for a single
 * share (then the share is the unseal key itself).
 */
export function validateShareParams(p: ShareParams): void {
  const { secret_shares: n, secret_threshold: t } = p;
  const bad = (field: string, message: string) => new InvalidFieldError(message, { details: { field } });
  if (!Number.isInteger(n)) throw bad('secret_shares', 'secret_shares must be an integer');
  if (!Number.isInteger(t)) throw bad('secret_threshold', 'secret_threshold must be an integer');
  if (n < 1) throw bad('secret_shares', 'secret_shares must be at least 1');
  if (n > 255) throw bad('secret_shares', 'secret_shares cannot be more than 255');
  if (t < 1) throw bad('secret_threshold', 'secret_threshold must be at least 1');
  if (t > n) throw bad('secret_threshold', 'secret_threshold cannot be larger than secret_shares');
  if (n > 1 && t < 2) {
    throw bad('secret_threshold', 'secret_threshold must be at least 2 when secret_shares is more than 1');
  }
}

/** Bytes of one share: the unseal key itself for 1 share, else key bytes plus the x byte. */
export function shareLength(config: SealConfig): number {
  return config.secret_shares === 1 ? UNSEAL_KEY_LENGTH : UNSEAL_KEY_LENGTH + 1;
}

export function serializeConfig(config: SealConfig): Buffer {
  const { type, secret_shares, secret_threshold } = config;
  return Buffer.from(JSON.stringify({ type, secret_shares, secret_threshold }), 'utf8');
}

export function parseConfig(bytes: Buffer): SealConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new IntegrityError('seal config is malformed', { cause: err });
  }
  const c = raw as Partial<SealConfig> | null;
  const config = { type: c?.type, secret_shares: c?.secret_shares, secret_threshold: c?.secret_threshold };
  if (config.type !== 'shamir') throw new IntegrityError('seal config is malformed');
  try {
    validateShareParams(config as SealConfig);
  } catch (err) {
    throw new IntegrityError('seal config is malformed', { cause: err });
  }
  return config as SealConfig;
}
