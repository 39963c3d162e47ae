import { randomUUID, timingSafeEqual } from 'node:crypto';
import { BadRequestError } from '../../sdk/errors.ts';
import { combine } from './shamir.ts';

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes a key share as an operator submits it: hex, or else standard base64 (Vault accepts
 * both). A Buffer is taken as raw bytes. Returns a fresh Buffer of exactly `length` bytes; any
 * other input is a BadRequestError whose message never echoes the input.
 */
export function decodeShare(input: string | Buffer, length: number): Buffer {
  if (Buffer.isBuffer(input)) {
    if (input.length !== length) throw wrongLength(length);
    const copy = Buffer.alloc(length);
    input.copy(copy);
    return copy;
  }
  let decodedAny = false;
  if (input.length % 2 === 0 && HEX.test(input)) {
    const bytes = Buffer.from(input, 'hex');
    if (bytes.length === length) return bytes;
    bytes.fill(0);
    decodedAny = true;
  }
  // A hex-looking string of the wrong length may still be base64 of the right length.
  if (input.length % 4 === 0 && BASE64.test(input)) {
    const bytes = Buffer.from(input, 'base64');
    if (bytes.length === length) return bytes;
    bytes.fill(0);
    decodedAny = true;
  }
  if (decodedAny) throw wrongLength(length);
  throw new BadRequestError('key share must be hex or base64');
}

function wrongLength(length: number): BadRequestError {
  return new BadRequestError(`key share must be ${length} bytes`);
}

/**
 * The shares of one unseal (or rekey) round. Holds copies in Buffers it zeroes on reset; refuses a
 * share it already holds; `nonce` names the round (a UUID from the first share, '' when empty).
 */
export class ShareCollector {
  #shares: Buffer[] = [];
  #nonce = '';

  get progress(): number {
    return this.#shares.length;
  }

  get nonce(): string {
    return this.#nonce;
  }

  /** Takes ownership of `share`. Returns false (and zeroes it) if an identical share is held. */
  add(share: Buffer): boolean {
    let duplicate = false;
    for (const held of this.#shares) {
      if (held.length === share.length && timingSafeEqual(held, share)) duplicate = true;
    }
    if (duplicate) {
      share.fill(0);
      return false;
    }
    if (this.#shares.length === 0) this.#nonce = randomUUID();
    this.#shares.push(share);
    return true;
  }

  /**
   * The key the held shares make (a single share is the key itself), then reset. Combining can
   * throw (e.g. two different shares with the same x); the round is reset either way.
   */
  recover(): Buffer {
    try {
      const [only] = this.#shares;
      if (this.#shares.length === 1 && only !== undefined) {
        const key = Buffer.alloc(only.length);
        only.copy(key);
        return key;
      }
      return combine(this.#shares);
    } finally {
      this.reset();
    }
  }

  reset(): void {
    for (const s of this.#shares) s.fill(0);
    this.#shares = [];
    this.#nonce = '';
  }
}
