import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { IntegrityError } from '../../sdk/errors.ts';

/**
 * The one ciphertext format of Coffer's key hierarchy (barrier values, the keyring, the wrapped
 * root key):
 *
 *   [term u32 big-endian][version u8 = 1][nonce 12][AES-256-GCM ciphertext][tag 16]
 *
 * AAD is the storage path the blob lives at, so a blob moved to another path fails to open.
 * `term` names the key: a keyring term for barrier values, 0 for blobs wrapped by the root key or
 * the unseal key. Every seal draws a fresh random nonce.
 */
export const VERSION = 1;
export const HEADER_LENGTH = 4 + 1 + 12;
export const TAG_LENGTH = 16;
export const KEY_LENGTH = 32;

/** The generic message of every failed open: says nothing of why or of the key. */
export const INTEGRITY_MESSAGE = 'integrity check failed for a stored value';

/** A KeyObject for an AES-256 key (node copies the bytes; zero the Buffer yourself). */
export function aesKey(key: Buffer): KeyObject {
  if (key.length !== KEY_LENGTH) throw new RangeError('AES-256 keys are 32 bytes');
  return createSecretKey(key);
}

/**
 * Nonces are drawn from the CSPRNG 256 at a time (one call instead of one per seal); each is
 * used once. They are public (stored beside the ciphertext), so holding them ahead is harmless.
 */
let noncePool = Buffer.alloc(0);
let nonceOffset = 0;
function nextNonce(): Buffer {
  if (nonceOffset + 12 > noncePool.length) {
    noncePool = randomBytes(12 * 256);
    nonceOffset = 0;
  }
  const nonce = noncePool.subarray(nonceOffset, nonceOffset + 12);
  nonceOffset += 12;
  return nonce;
}

export function encrypt(key: KeyObject, term: number, plaintext: Buffer, aad: string): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt32BE(term, 0);
  header[4] = VERSION;
  nextNonce().copy(header, 5);
  const cipher = createCipheriv('aes-256-gcm', key, header.subarray(5), { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return Buffer.concat([header, body, final, cipher.getAuthTag()]);
}

/** The term a blob claims, or undefined when it is too short or of an unknown version. */
export function termOf(blob: Buffer): number | undefined {
  if (blob.length < HEADER_LENGTH + TAG_LENGTH || blob[4] !== VERSION) return undefined;
  return blob.readUInt32BE(0);
}

/**
 * Opens a blob sealed by `encrypt` under `key` for path `aad`. Any failure (short, unknown
 * version, wrong term, wrong key, tampered byte, other path) throws IntegrityError; `details`
 * may carry the (non-secret) path.
 */
export function decrypt(
  key: KeyObject,
  term: number,
  blob: Buffer,
  aad: string,
  details?: Record<string, unknown>,
): Buffer {
  const fail = (cause?: unknown) =>
    new IntegrityError(INTEGRITY_MESSAGE, {
      ...(cause === undefined ? {} : { cause }),
      ...(details === undefined ? {} : { details }),
    });
  if (termOf(blob) !== term) throw fail();
  const nonce = blob.subarray(5, HEADER_LENGTH);
  const tag = blob.subarray(blob.length - TAG_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  const body = decipher.update(blob.subarray(HEADER_LENGTH, blob.length - TAG_LENGTH));
  try {
    return Buffer.concat([body, decipher.final()]);
  } catch (err) {
    body.fill(0);
    throw fail(err);
  }
}
