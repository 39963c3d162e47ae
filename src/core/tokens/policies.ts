import { BadRequestError } from '../../sdk/errors.ts';

/** Policies no token may be given: they are attached internally (response wrapping, control groups). */
const NON_ASSIGNABLE = new Set(['response-wrapping', 'control-group']);

/**
 * Vault's policy list normal form: trimmed, lower-cased, no empties, deduplicated, sorted;
 * `root` swallows every other policy; `default` is added unless asked not to (never to root).
 */
export function sanitizePolicies(policies: readonly string[], addDefault: boolean): string[] {
  const set = new Set<string>();
  for (const p of policies) {
    const name = p.trim().toLowerCase();
    if (name !== '') set.add(name);
  }
  if (set.has('root')) return ['root'];
  if (addDefault) set.add('default');
  return [...set].sort();
}

export function checkAssignable(policies: readonly string[]): void {
  for (const p of policies) {
    if (NON_ASSIGNABLE.has(p)) throw new BadRequestError(`cannot assign policy "${p}"`);
  }
}

/** `*` matches any run of characters (Vault's role policy globs). */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRe).join('.*')}$`, 's');
  return re.test(value);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A child token's policies must be a subset of its parent's unless the parent is root.
 * `default` is exempt: every token may hold it.
 */
export function checkSubset(child: readonly string[], parent: readonly string[]): void {
  if (parent.includes('root')) return;
  const have = new Set(parent);
  for (const p of child) {
    if (p !== 'default' && !have.has(p)) throw new BadRequestError('child policies must be subset of parent');
  }
}
