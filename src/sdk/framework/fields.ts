import { InvalidFieldError } from '../errors.ts';
import { parseDuration } from './duration.ts';

/**
 * Typed fields of a path. Each kind knows how to parse a JSON body value or a query string
 * (Vault's CLI and query strings send numbers and booleans as strings; those are parsed, never
 * guessed: "abc" for an int is a 400).
 */
export type FieldKind =
  | 'string'
  | 'name'
  | 'int'
  | 'bool'
  | 'duration'
  | 'map'
  | 'commaList'
  | 'stringList'
  | 'intList'
  | 'any';

export interface FieldSpec<T = unknown> {
  readonly kind: FieldKind;
  readonly description: string;
  readonly required?: boolean;
  /** Hashed in audit, redacted in logs, masked in the UI. */
  readonly sensitive?: boolean;
  readonly default?: T;
  readonly allowed?: readonly T[];
  /** Only for documentation: where a client sends it. */
  readonly in?: 'path' | 'body' | 'query';
  /** The parser: throws InvalidFieldError naming the field. */
  readonly parse: (name: string, value: unknown) => T;
}

export type FieldValue<S> = S extends FieldSpec<infer T> ? T : never;
export type Fields = Record<string, FieldSpec<any>>;
export type FieldValues<F extends Fields> = { [K in keyof F]: FieldValue<F[K]> | undefined };

type Opts<T> = {
  description: string;
  required?: boolean;
  sensitive?: boolean;
  default?: T;
  allowed?: readonly T[];
  in?: 'path' | 'body' | 'query';
};

function bad(name: string, want: string): never {
  throw new InvalidFieldError(`field "${name}": expected ${want}`);
}

function make<T>(kind: FieldKind, opts: Opts<T>, parse: (name: string, v: unknown) => T): FieldSpec<T> {
  const spec: FieldSpec<T> = { ...opts, kind, parse };
  if (opts.allowed) {
    const allowed = opts.allowed;
    return {
      ...spec,
      parse: (name, v) => {
        const out = parse(name, v);
        if (!allowed.includes(out)) bad(name, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
        return out;
      },
    };
  }
  return spec;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;

export const f = {
  string: (o: Opts<string>) =>
    make('string', o, (n, v) => {
      if (typeof v !== 'string') bad(n, 'a string');
      return v;
    }),
  /** An identifier: letters, digits, `_ . @ -`, at most 128 characters. */
  name: (o: Opts<string>) =>
    make('name', o, (n, v) => {
      if (typeof v !== 'string' || !NAME_RE.test(v))
        bad(n, 'a name of letters, digits, "_", ".", "@" or "-"');
      return v;
    }),
  int: (o: Opts<number> & { min?: number; max?: number }) =>
    make('int', o, (n, v) => {
      let num: number;
      if (typeof v === 'number') num = v;
      else if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) num = Number(v.trim());
      else bad(n, 'an integer');
      if (!Number.isSafeInteger(num)) bad(n, 'an integer');
      if (o.min !== undefined && num < o.min) bad(n, `an integer >= ${o.min}`);
      if (o.max !== undefined && num > o.max) bad(n, `an integer <= ${o.max}`);
      return num;
    }),
  bool: (o: Opts<boolean>) =>
    make('bool', o, (n, v) => {
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      bad(n, 'a boolean');
    }),
  /**
   * Seconds: an integer, or a Go-style duration string ("90s", "1h30m"), at most Go's longest
   * duration (2562047h, ~292 years). Negative only with `signed`.
   */
  duration: (o: Opts<number> & { signed?: boolean }) =>
    make('duration', o, (n, v) => {
      const secs = parseDuration(v);
      if (secs === undefined || (secs < 0 && !o.signed))
        bad(n, 'a duration such as 30, "30s" or "1h" (at most 2562047h)');
      return secs;
    }),
  /** Non-negative integers: `[1, 2]`, `["1", "2"]`, `"1,2"` or a single number. */
  intList: (o: Opts<number[]>) =>
    make('intList', o, (n, v) => {
      const one = (x: unknown): number => {
        if (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) return x;
        if (typeof x === 'string' && /^\d+$/.test(x.trim()) && Number.isSafeInteger(Number(x.trim())))
          return Number(x.trim());
        return bad(n, 'a list of non-negative integers');
      };
      if (typeof v === 'number') return [one(v)];
      if (typeof v === 'string')
        return v
          .split(',')
          .filter((s) => s.trim() !== '')
          .map(one);
      if (Array.isArray(v)) return v.map(one);
      return bad(n, 'a list of non-negative integers');
    }),
  map: (o: Opts<Record<string, unknown>>) =>
    make('map', o, (n, v) => {
      if (typeof v === 'string') {
        try {
          v = JSON.parse(v);
        } catch {
          bad(n, 'an object');
        }
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(n, 'an object');
      return v as Record<string, unknown>;
    }),
  /** A list of strings, sent as an array or as one comma-separated string. */
  commaList: (o: Opts<string[]>) =>
    make('commaList', o, (n, v) => {
      if (typeof v === 'string')
        return v === ''
          ? []
          : v
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== '');
      if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.map((s) => s.trim());
      bad(n, 'a list of strings');
    }),
  stringList: (o: Opts<string[]>) =>
    make('stringList', o, (n, v) => {
      if (typeof v === 'string') return [v];
      if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
      bad(n, 'a list of strings');
    }),
  any: (o: Opts<unknown>) => make('any', o, (_n, v) => v),
};

/** The JSON-schema type a field is documented as (OpenAPI). */
export function schemaOf(spec: FieldSpec): Record<string, unknown> {
  switch (spec.kind) {
    case 'string':
    case 'name':
      return { type: 'string' };
    case 'int':
      return { type: 'integer' };
    case 'bool':
      return { type: 'boolean' };
    case 'duration':
      return { type: 'string', format: 'duration' };
    case 'map':
      return { type: 'object' };
    case 'commaList':
    case 'stringList':
      return { type: 'array', items: { type: 'string' } };
    case 'intList':
      return { type: 'array', items: { type: 'integer' } };
    case 'any':
      return {};
  }
}
