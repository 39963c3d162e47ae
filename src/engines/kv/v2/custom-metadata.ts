import { InvalidFieldError } from '../../../sdk/index.ts';

/** Vault's limits on a secret's custom_metadata. */
export const CUSTOM_METADATA_LIMITS = { keys: 64, keyBytes: 128, valueBytes: 512 } as const;

const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

/** Keys are metadata, not secrets, but a message needn't carry a huge one. */
const quote = (k: string): string => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);

/**
 * Checks a custom_metadata map: string values, at most 64 keys, keys of at most 128 bytes and
 * values of at most 512, printable characters only. All problems are reported at once, as Vault
 * does. Messages name keys (metadata, not secrets) but never quote values.
 */
export function validateCustomMetadata(value: Record<string, unknown>): Record<string, string> {
  const problems: string[] = [];
  const entries = Object.entries(value);
  const { keys, keyBytes, valueBytes } = CUSTOM_METADATA_LIMITS;
  if (entries.length > keys)
    problems.push(`payload must contain at most ${keys} keys, provided ${entries.length}`);
  for (const [k, v] of entries) {
    const keyLen = Buffer.byteLength(k, 'utf8');
    if (keyLen > keyBytes) problems.push(`length of key ${quote(k)} is ${keyLen} but max is ${keyBytes}`);
    if (UNPRINTABLE.test(k)) problems.push(`key ${quote(k)} contains unprintable characters`);
    if (typeof v !== 'string') {
      problems.push(`value for key ${quote(k)} must be a string`);
      continue;
    }
    const valueLen = Buffer.byteLength(v, 'utf8');
    if (valueLen > valueBytes)
      problems.push(`length of value for key ${quote(k)} is ${valueLen} but max is ${valueBytes}`);
    if (UNPRINTABLE.test(v)) problems.push(`value for key ${quote(k)} contains unprintable characters`);
  }
  if (problems.length > 0) {
    throw new InvalidFieldError(`custom_metadata validation failed: ${problems.join('; ')}`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
