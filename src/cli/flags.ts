/**
 * Go-style flag parsing, the way Vault's CLI reads its flags:
 * `-flag=value`, `-flag value`, `--flag=value`, boolean `-flag` / `-flag=false`;
 * a lone `-` is an argument, `--` ends the flags. Flags stop at the first argument unless
 * the command allows them interspersed (the kv commands do).
 */

interface BaseSpec {
  /** One sentence for the help text. */
  usage: string;
  /** Placeholder shown in help: `-field=<string>`. */
  placeholder?: string;
}
export interface BoolSpec extends BaseSpec {
  type: 'bool';
  default?: boolean;
}
export interface StringSpec extends BaseSpec {
  type: 'string';
  default?: string;
}
export interface IntSpec extends BaseSpec {
  type: 'int';
  default?: number;
}
/** A repeatable string flag: every occurrence is kept, in order. */
export interface ListSpec extends BaseSpec {
  type: 'list';
}
export type FlagSpec = BoolSpec | StringSpec | IntSpec | ListSpec;
export type FlagSpecs = Record<string, FlagSpec>;

export type FlagValue<S extends FlagSpec> = S extends BoolSpec
  ? boolean
  : S extends IntSpec
    ? number | undefined
    : S extends ListSpec
      ? string[]
      : string | undefined;

export type FlagValues<S extends FlagSpecs> = { [K in keyof S]: FlagValue<S[K]> };

export interface ParsedFlags<S extends FlagSpecs> {
  flags: FlagValues<S>;
  /** Names of the flags given on the command line. */
  set: ReadonlySet<string>;
  args: string[];
  /** `-h`, `-help` or `--help` was given. */
  help: boolean;
}

/** A flag the user got wrong; the command prints it with its usage and exits 2. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export interface ParseOptions {
  /** Accept flags after positional arguments too. */
  interspersed?: boolean;
}

export function parseFlags<S extends FlagSpecs>(
  specs: S,
  argv: readonly string[],
  options: ParseOptions = {},
): ParsedFlags<S> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = initial(spec);
  const set = new Set<string>();
  const args: string[] = [];
  let help = false;

  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    i++;
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (!isFlag(arg)) {
      if (!options.interspersed) {
        args.push(arg, ...argv.slice(i));
        break;
      }
      args.push(arg);
      continue;
    }
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body === '' || body.startsWith('-') || body.startsWith('='))
      throw new FlagError(`bad flag syntax: ${arg}`);
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    let value = eq === -1 ? undefined : body.slice(eq + 1);
    const spec = specs[name];
    if (spec === undefined) {
      if (name === 'h' || name === 'help') {
        help = true;
        continue;
      }
      throw new FlagError(`flag provided but not defined: -${name}`);
    }
    if (spec.type === 'bool') {
      values[name] = value === undefined ? true : parseBool(name, value);
    } else {
      if (value === undefined) {
        if (i >= argv.length) throw new FlagError(`flag needs an argument: -${name}`);
        value = argv[i]!;
        i++;
      }
      if (spec.type === 'int') values[name] = parseInteger(name, value);
      else if (spec.type === 'list') (values[name] as string[]).push(value);
      else values[name] = value;
    }
    set.add(name);
  }
  return { flags: values as FlagValues<S>, set, args, help };
}

/** `-x`, `--x`; not `-` alone and not negative numbers. */
function isFlag(arg: string): boolean {
  return arg.length > 1 && arg.startsWith('-') && !/^-\d/.test(arg);
}

function initial(spec: FlagSpec): unknown {
  switch (spec.type) {
    case 'bool':
      return spec.default ?? false;
    case 'list':
      return [];
    default:
      return spec.default;
  }
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function parseBool(name: string, value: string): boolean {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new FlagError(`invalid boolean value "${value}" for -${name}: parse error`);
}

function parseInteger(name: string, value: string): number {
  if (!/^[-+]?\d+$/.test(value))
    throw new FlagError(`invalid value "${value}" for flag -${name}: parse error`);
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new FlagError(`invalid value "${value}" for flag -${name}: value out of range`);
  return n;
}

/** `-versions=1,2 -versions 3` → [1, 2, 3]. */
export function parseIntList(name: string, values: readonly string[]): number[] {
  const out: number[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const trimmed = part.trim();
      if (trimmed === '') continue;
      if (!/^\d+$/.test(trimmed))
        throw new FlagError(`invalid value "${value}" for flag -${name}: parse error`);
      out.push(Number(trimmed));
    }
  }
  return out;
}

/** `-custom-metadata=a=b -custom-metadata c=d` → { a: 'b', c: 'd' }. */
export function parseKeyValueFlags(name: string, values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new FlagError(`invalid value "${value}" for flag -${name}: format must be key=value`);
    out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}
