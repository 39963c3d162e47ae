import { InvalidFieldError } from '../../sdk/errors.ts';
import type { FieldSpec } from '../../sdk/framework/index.ts';

/**
 * Parses Vault's key/value metadata: an object of strings (numbers and booleans are written as
 * strings), its JSON text, or a list of `key=value` strings (the CLI's `metadata=k=v` form).
 */
export function parseKeyValues(name: string, v: unknown): Record<string, string> {
  const bad = (): never => {
    throw new InvalidFieldError(`field "${name}": expected an object of strings or a list of "key=value"`);
  };
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return {};
    if (s.startsWith('{')) {
      try {
        v = JSON.parse(s);
      } catch {
        bad();
      }
    } else v = [s];
  }
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const item of v) {
      if (typeof item !== 'string') bad();
      const i = (item as string).indexOf('=');
      if (i <= 0) bad();
      out[(item as string).slice(0, i)] = (item as string).slice(i + 1);
    }
    return out;
  }
  if (v === null || typeof v !== 'object') bad();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
    else bad();
  }
  return out;
}

/** A metadata field: `map` in the docs, parsed by `parseKeyValues`. */
export function keyValues(description: string): FieldSpec<Record<string, string>> {
  return { kind: 'map', description, parse: parseKeyValues };
}
