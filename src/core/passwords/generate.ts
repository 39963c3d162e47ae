import { randomInt } from 'node:crypto';
import { BadRequestError } from '../../sdk/errors.ts';
import type { PasswordPolicy } from './policy.ts';

/** A uniform integer in [0, max): crypto.randomInt (rejection sampling, no modulo bias). */
export type RandomInt = (max: number) => number;

/** How many candidates `generate` draws before it gives up on a policy that is too strict. */
export const MAX_ATTEMPTS = 10_000;

/**
 * A password of `policy.length` characters, each drawn uniformly from the union of the charsets,
 * that meets every rule's `min-chars`. Candidates that miss a rule are thrown away and drawn
 * again (as Vault does), so the result is uniform over every password the policy allows.
 * Throws BadRequestError when no candidate passes in MAX_ATTEMPTS draws.
 */
export function generate(policy: PasswordPolicy, rng: RandomInt = randomInt): string {
  const { charset, length } = policy;
  const ruleSets = policy.rules.filter((r) => r.minChars > 0).map((r) => new Set(r.charset));
  const mins = policy.rules.filter((r) => r.minChars > 0).map((r) => r.minChars);
  const chars = new Array<string>(length);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    for (let i = 0; i < length; i++) chars[i] = charset[rng(charset.length)]!;
    if (meetsRules(chars, ruleSets, mins)) return chars.join('');
  }
  chars.fill('');
  throw new BadRequestError('unable to generate a password from the policy: its rules are too strict');
}

function meetsRules(
  chars: readonly string[],
  sets: readonly Set<string>[],
  mins: readonly number[],
): boolean {
  for (let r = 0; r < sets.length; r++) {
    const set = sets[r]!;
    let n = 0;
    for (const c of chars) if (set.has(c)) n++;
    if (n < mins[r]!) return false;
  }
  return true;
}

/** Whether a password meets the policy: length, alphabet and every rule (for tests and checks). */
export function satisfies(policy: PasswordPolicy, password: string): boolean {
  const chars = Array.from(password);
  if (chars.length !== policy.length) return false;
  const all = new Set(policy.charset);
  if (!chars.every((c) => all.has(c))) return false;
  return meetsRules(
    chars,
    policy.rules.map((r) => new Set(r.charset)),
    policy.rules.map((r) => r.minChars),
  );
}
