import { randomBytes, randomInt } from 'node:crypto';
import { InvalidFieldError } from '../../sdk/errors.ts';

/**
 * Shamir secret sharing over GF(2^8) with the AES (Rijndael) polynomial x^8+x^4+x^3+x+1.
 *
 * A share is the y bytes (one per secret byte, same length as the secret) followed by ONE x byte:
 * the layout Vault uses, so shares look the same to operators. x coordinates are distinct,
 * non-zero and random. Field arithmetic uses no tables and no branches on data: multiply is a
 * fixed 8-round shift-and-xor with masks, inverse is a^254 by a fixed chain of squarings.
 */

/** a * b in GF(2^8) mod 0x11b, in constant time (fixed 8 rounds, masks instead of branches). */
export function gfMul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) {
    p ^= -(b & 1) & a; // add a when the low bit of b is set
    const carry = -((a >> 7) & 1); // all ones when a overflows on the shift
    a = ((a << 1) ^ (carry & 0x1b)) & 0xff;
    b >>= 1;
  }
  return p & 0xff;
}

/** a^-1 in GF(2^8) as a^254 (so 0 maps to 0), by a fixed square-and-multiply chain. */
export function gfInv(a: number): number {
  // 254 = 2 + 4 + 8 + 16 + 32 + 64 + 128: multiply together a^(2^k) for k = 1..7.
  let square = gfMul(a, a);
  let result = square;
  for (let k = 2; k <= 7; k++) {
    square = gfMul(square, square);
    result = gfMul(result, square);
  }
  return result;
}

/** a / b in GF(2^8); callers never divide by 0 (x coordinates are distinct). */
export function gfDiv(a: number, b: number): number {
  return gfMul(a, gfInv(b));
}

/** The value at x of the polynomial with coefficients `coeffs` (constant term first), by Horner. */
function evaluate(coeffs: Buffer, x: number): number {
  let out = 0;
  for (let i = coeffs.length - 1; i >= 0; i--) out = gfMul(out, x) ^ coeffs[i]!;
  return out;
}

/** Distinct random x coordinates from 1..255 (a partial Fisher-Yates shuffle). */
function randomXs(count: number): number[] {
  const xs = Array.from({ length: 255 }, (_, i) => i + 1);
  for (let i = 0; i < count; i++) {
    const j = randomInt(i, 255);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs.slice(0, count);
}

/**
 * Splits `secret` into `parts` shares, any `threshold` of which recover it.
 * 2 <= threshold <= parts <= 255. A 1-of-1 "split" is the caller's business (the share is the
 * secret itself), so threshold 1 is refused here.
 */
export function split(secret: Buffer, parts: number, threshold: number): Buffer[] {
  if (!Number.isInteger(parts) || !Number.isInteger(threshold)) {
    throw new InvalidFieldError('parts and threshold must be integers');
  }
  if (threshold < 2) throw new InvalidFieldError('threshold must be at least 2');
  if (parts > 255) throw new InvalidFieldError('parts cannot exceed 255');
  if (threshold > parts) throw new InvalidFieldError('threshold cannot exceed parts');
  if (secret.length === 0) throw new InvalidFieldError('cannot split an empty secret');

  const xs = randomXs(parts);
  const shares = xs.map((x) => {
    const share = Buffer.alloc(secret.length + 1);
    share[secret.length] = x;
    return share;
  });
  const coeffs = Buffer.alloc(threshold);
  for (let i = 0; i < secret.length; i++) {
    randomBytes(threshold - 1).copy(coeffs, 1);
    coeffs[0] = secret[i]!;
    for (let s = 0; s < parts; s++) shares[s]![i] = evaluate(coeffs, xs[s]!);
  }
  coeffs.fill(0);
  return shares;
}

/**
 * Recovers the secret from `shares` (at least 2, same length, distinct non-zero x) by Lagrange
 * interpolation at 0. With fewer shares than the threshold the result is some unrelated value:
 * Shamir cannot tell, so callers verify the result (e.g. by decrypting with it).
 */
export function combine(shares: Buffer[]): Buffer {
  if (shares.length < 2) throw new InvalidFieldError('at least 2 shares are required');
  const len = shares[0]!.length;
  if (len < 2) throw new InvalidFieldError('shares must be at least 2 bytes long');
  if (shares.some((s) => s.length !== len)) throw new InvalidFieldError('all shares must be the same length');
  const xs = shares.map((s) => s[len - 1]!);
  if (xs.includes(0)) throw new InvalidFieldError('share has an invalid x coordinate');
  if (new Set(xs).size !== xs.length) throw new InvalidFieldError('duplicate share x coordinate');

  // Lagrange basis at 0: l_i = prod_{j != i} x_j / (x_j - x_i); subtraction is xor in GF(2^8).
  const basis = xs.map((xi, i) => {
    let l = 1;
    for (let j = 0; j < xs.length; j++) {
      if (j !== i) l = gfMul(l, gfDiv(xs[j]!, xs[j]! ^ xi));
    }
    return l;
  });
  const secret = Buffer.alloc(len - 1);
  for (let b = 0; b < len - 1; b++) {
    let y = 0;
    for (let i = 0; i < shares.length; i++) y ^= gfMul(basis[i]!, shares[i]![b]!);
    secret[b] = y;
  }
  return secret;
}
