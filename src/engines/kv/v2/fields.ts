import { type FieldSpec, f, InvalidFieldError, parseDuration } from '../../../sdk/index.ts';

/** The secret's path below the engine's prefix (`data/`, `metadata/`, ...). */
export const secretPath = (what = 'Location of the secret.') => f.string({ description: what, in: 'path' });

/**
 * A list of version numbers: `[1, 2]`, `["1", "2"]` or `"1,2"` (Vault's comma-int slice).
 * The sdk has no int-list field, so this one is local.
 */
export function versionList(opts: { description: string; required?: boolean }): FieldSpec<number[]> {
  const bad = (name: string): never => {
    throw new InvalidFieldError(`field "${name}": expected a list of version numbers`);
  };
  const one = (name: string, v: unknown): number => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    if (typeof v === 'string' && /^\d+$/.test(v.trim())) {
      const n = Number(v.trim());
      if (Number.isSafeInteger(n)) return n;
    }
    return bad(name);
  };
  return {
    kind: 'commaList',
    ...opts,
    parse: (name, v) => {
      if (typeof v === 'number') return [one(name, v)];
      if (typeof v === 'string')
        return v.trim() === ''
          ? []
          : v
              .split(',')
              .filter((s) => s.trim() !== '')
              .map((s) => one(name, s));
      if (Array.isArray(v)) return v.map((s) => one(name, s));
      return bad(name);
    },
  };
}

/** A duration in seconds that may be negative (the mount config uses negative for "disabled"). */
export function signedDuration(opts: { description: string }): FieldSpec<number> {
  return {
    kind: 'duration',
    ...opts,
    parse: (name, v) => {
      const secs = parseDuration(v);
      if (secs === undefined)
        throw new InvalidFieldError(`field "${name}": expected a duration such as 30, "30s" or "1h"`);
      return secs;
    },
  };
}
