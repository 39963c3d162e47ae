/**
 * A command is a declaration — name, usage, flags, argument counts, one `run` — and
 * `runCommand` does the rest: flag parsing, help, usage errors, output format, the client,
 * and the exit code of any error a command throws or hands to `fail`. Exit codes follow
 * Vault's CLI and are decided in exit-code.ts: 1 for a local error (bad flags, wrong number
 * of arguments, failed validation), 2 for a remote one (an error status from the server, or
 * no answer at all).
 */
import type { Coffer } from '../client/index.ts';
import { DataArgError } from './data-args.ts';
import { ClientSetupError, EXIT_LOCAL, exitCodeOf } from './exit-code.ts';
import { FlagError, type FlagSpec, type FlagSpecs, type FlagValues, parseFlags } from './flags.ts';
import {
  clientFrom,
  globalFlags,
  httpFlags,
  type OutputFormat,
  outputFlags,
  outputFormat,
} from './global-flags.ts';
import type { Io } from './io.ts';
import { json } from './output.ts';

export interface CommandDef<S extends FlagSpecs = FlagSpecs> {
  /** Words after `coffer`: "kv get". */
  name: string;
  /** One line for the command list. */
  synopsis: string;
  /** "coffer kv get [options] KEY". */
  usage: string;
  /** Paragraphs of help text. */
  description: string;
  flags: S;
  args?: { min?: number; max?: number };
  /** Accept flags after positional arguments (the kv commands do, as Vault's). */
  interspersed?: boolean;
  run(ctx: Context<S>): Promise<number>;
}

export interface Context<S extends FlagSpecs> {
  flags: FlagValues<S> & FlagValues<typeof globalFlags>;
  /** Names of the flags given on the command line. */
  set: ReadonlySet<string>;
  args: string[];
  io: Io;
  format: OutputFormat;
  client(): Promise<Coffer>;
  /** Writes a line (or lines) to stdout. */
  out(text: string): void;
  /** Writes a line to stderr. */
  err(text: string): void;
  /** Writes value as indented JSON on stdout. */
  json(value: unknown): void;
  /**
   * `<prefix>: <error message>` on stderr; returns the exit code of the error's kind: 2 when
   * the server answered with an error or could not be reached, 1 otherwise.
   */
  fail(prefix: string, error: unknown): number;
  /** The message and the usage on stderr; returns 1 (a local error). */
  usageError(message: string): number;
}

export function defineCommand<const S extends FlagSpecs>(def: CommandDef<S>): CommandDef<S> {
  return def;
}

export async function runCommand(def: CommandDef, argv: readonly string[], io: Io): Promise<number> {
  const err = (text: string) => {
    io.stderr.write(`${text}\n`);
  };
  const usageError = (message: string): number => {
    err(`${message}\n\n${commandHelp(def)}`);
    return EXIT_LOCAL;
  };

  let parsed: ReturnType<typeof parseFlags<FlagSpecs>>;
  try {
    parsed = parseFlags({ ...def.flags, ...globalFlags }, argv, { interspersed: def.interspersed ?? false });
  } catch (error) {
    if (error instanceof FlagError) return usageError(error.message);
    throw error;
  }
  if (parsed.help) {
    io.stdout.write(`${commandHelp(def)}\n`);
    return 0;
  }
  const { min = 0, max = Number.POSITIVE_INFINITY } = def.args ?? {};
  if (parsed.args.length < min) {
    return usageError(
      `Not enough arguments (expected ${describeCount(min, max)}, got ${parsed.args.length})`,
    );
  }
  if (parsed.args.length > max) {
    return usageError(`Too many arguments (expected ${describeCount(min, max)}, got ${parsed.args.length})`);
  }
  const flags = parsed.flags as Context<FlagSpecs>['flags'];
  const format = outputFormat(flags, io.env);
  if (format === undefined)
    return usageError(
      `Invalid output format: ${flags.format ?? io.env.COFFER_FORMAT ?? io.env.VAULT_FORMAT}`,
    );

  let client: Coffer | undefined;
  const ctx: Context<FlagSpecs> = {
    flags,
    set: parsed.set,
    args: parsed.args,
    io,
    format,
    client: async () => {
      try {
        client ??= await clientFrom(flags, parsed.set, io.env);
      } catch (error) {
        throw new ClientSetupError(error);
      }
      return client;
    },
    out: (text) => {
      io.stdout.write(`${text}\n`);
    },
    err,
    json: (value) => {
      io.stdout.write(`${json(value)}\n`);
    },
    fail: (prefix, error) => {
      err(`${prefix}: ${messageOf(error)}`);
      return exitCodeOf(error);
    },
    usageError,
  };
  try {
    return await def.run(ctx);
  } catch (error) {
    if (error instanceof FlagError) return usageError(error.message);
    if (error instanceof DataArgError) {
      err(`Failed to parse K=V data: ${error.message}`);
      return EXIT_LOCAL;
    }
    err(`Error: ${messageOf(error)}`);
    return exitCodeOf(error);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeCount(min: number, max: number): string {
  if (min === max) return String(min);
  if (max === Number.POSITIVE_INFINITY) return `at least ${min}`;
  return min === 0 ? `at most ${max}` : `${min} to ${max}`;
}

/** Usage, description and every flag, grouped as Vault's help is. */
export function commandHelp(def: CommandDef): string {
  const sections = [`Usage: ${def.usage}`, indent(def.description.trim(), 2)];
  const own = Object.entries(def.flags);
  if (own.length > 0) sections.push(flagSection('Command Options', own));
  sections.push(flagSection('HTTP Options', Object.entries(httpFlags)));
  sections.push(flagSection('Output Options', Object.entries(outputFlags)));
  return sections.join('\n\n');
}

function flagSection(title: string, flags: [string, FlagSpec][]): string {
  const items = flags
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, spec]) => {
      const placeholder = spec.type === 'bool' ? '' : `=${spec.placeholder ?? defaultPlaceholder(spec)}`;
      return `  -${name}${placeholder}\n${wrap(spec.usage, 74, 6)}`;
    });
  return `${title}:\n\n${items.join('\n\n')}`;
}

function defaultPlaceholder(spec: FlagSpec): string {
  switch (spec.type) {
    case 'int':
      return '<int>';
    case 'list':
      return '<string>';
    default:
      return '<string>';
  }
}

export function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line === '' ? '' : pad + line))
    .join('\n');
}

function wrap(text: string, width: number, spaces: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return indent(lines.join('\n'), spaces);
}
