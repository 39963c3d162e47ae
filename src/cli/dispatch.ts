/**
 * `coffer <command> [args]`: finds the command by its words (longest match), prints help for
 * groups and unknown commands. The `server` command is dispatched by src/main.ts.
 */
import { type CommandDef, indent, runCommand } from './command.ts';
import { commands, groups } from './commands/index.ts';
import { cofferVersion } from './commands/version.ts';
import { EXIT_LOCAL } from './exit-code.ts';
import type { Io } from './io.ts';
import { columns } from './output.ts';

const HELP_FLAGS = new Set(['-h', '-help', '--help']);
const VERSION_FLAGS = new Set(['-v', '-version', '--version']);
const COMMON = ['read', 'write', 'delete', 'list', 'login', 'status', 'unwrap', 'version'];
const EXTRA_TOP_LEVEL: Record<string, string> = { server: 'Start a Coffer server' };

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const first = argv[0];
  if (first === undefined) {
    io.stderr.write(`${topHelp()}\n`);
    return EXIT_LOCAL;
  }
  if (HELP_FLAGS.has(first)) {
    io.stdout.write(`${topHelp()}\n`);
    return 0;
  }
  if (VERSION_FLAGS.has(first)) {
    io.stdout.write(`Coffer v${cofferVersion()}\n`);
    return 0;
  }
  if (first === 'help') return help(argv.slice(1), io);

  const { command, consumed } = findCommand(argv);
  if (command) return runCommand(command, argv.slice(consumed), io);

  const group = longestGroup(argv);
  if (group) {
    const next = argv[group.words];
    if (next !== undefined && HELP_FLAGS.has(next)) {
      io.stdout.write(`${groupHelp(group.name)}\n`);
      return 0;
    }
    const prefix = next === undefined ? '' : `Unknown command: ${group.name} ${next}\n\n`;
    io.stderr.write(`${prefix}${groupHelp(group.name)}\n`);
    return EXIT_LOCAL;
  }
  io.stderr.write(`Unknown command: ${first}\n\n${topHelp()}\n`);
  return EXIT_LOCAL;
}

async function help(words: readonly string[], io: Io): Promise<number> {
  if (words.length === 0) {
    io.stdout.write(`${topHelp()}\n`);
    return 0;
  }
  const name = words.join(' ');
  const command = commands.find((c) => c.name === name);
  if (command) return runCommand(command, ['-h'], io);
  if (groups[name]) {
    io.stdout.write(`${groupHelp(name)}\n`);
    return 0;
  }
  io.stderr.write(`Unknown command: ${name}\n\n${topHelp()}\n`);
  return EXIT_LOCAL;
}

/** The command named by the most leading words of argv (up to the first flag). */
function findCommand(argv: readonly string[]): { command?: CommandDef; consumed: number } {
  for (let n = Math.min(3, argv.length); n > 0; n--) {
    const words = argv.slice(0, n);
    if (words.some((w) => w.startsWith('-'))) continue;
    const command = commands.find((c) => c.name === words.join(' '));
    if (command) return { command, consumed: n };
  }
  return { consumed: 0 };
}

function longestGroup(argv: readonly string[]): { name: string; words: number } | undefined {
  for (let n = Math.min(2, argv.length); n > 0; n--) {
    const name = argv.slice(0, n).join(' ');
    if (groups[name]) return { name, words: n };
  }
  return undefined;
}

export function topHelp(): string {
  const topLevel = new Map<string, string>();
  for (const c of commands) if (!c.name.includes(' ')) topLevel.set(c.name, c.synopsis);
  for (const [name, g] of Object.entries(groups)) if (!name.includes(' ')) topLevel.set(name, g.synopsis);
  for (const [name, synopsis] of Object.entries(EXTRA_TOP_LEVEL)) topLevel.set(name, synopsis);
  const common = COMMON.map((name) => [name, topLevel.get(name) ?? '']);
  const other = [...topLevel.keys()]
    .filter((name) => !COMMON.includes(name))
    .sort()
    .map((name) => [name, topLevel.get(name) ?? '']);
  return `Usage: coffer <command> [args]

Common commands:
${indent(columns(common), 4)}

Other commands:
${indent(columns(other), 4)}

Run "coffer <command> -h" for the options of a command.`;
}

export function groupHelp(name: string): string {
  const group = groups[name];
  const depth = name.split(' ').length + 1;
  const subcommands = new Map<string, string>();
  for (const c of commands) {
    const words = c.name.split(' ');
    if (words.length === depth && c.name.startsWith(`${name} `)) subcommands.set(words.at(-1)!, c.synopsis);
  }
  for (const [gName, g] of Object.entries(groups)) {
    const words = gName.split(' ');
    if (words.length === depth && gName.startsWith(`${name} `)) subcommands.set(words.at(-1)!, g.synopsis);
  }
  const rows = [...subcommands.keys()].sort().map((k) => [k, subcommands.get(k) ?? '']);
  return `Usage: coffer ${name} <subcommand> [options] [args]

${indent(group?.description ?? '', 2)}

Subcommands:
${indent(columns(rows), 4)}`;
}
