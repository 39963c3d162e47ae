/** The command line of `npm run bench -- [options]`. */
import { parseArgs } from 'node:util';

export interface Options {
  readonly scenarios: readonly string[] | undefined;
  readonly skip: readonly string[];
  readonly runs: number;
  readonly duration: number;
  readonly warmup: number;
  readonly connections: readonly number[];
  readonly audit: readonly ('on' | 'off')[];
  readonly profile: boolean;
}

export const USAGE = `Usage: npm run bench -- [--scenario a,b] [--skip x] [--runs 3] [--duration 5] [--warmup 2]
                       [--connections 1,10,50] [--audit on|off|both] [--profile]`;

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return n;
}

export function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scenario: { type: 'string' },
      skip: { type: 'string' },
      runs: { type: 'string', default: '3' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '1,10,50' },
      audit: { type: 'string', default: 'both' },
      profile: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const audit = values.audit;
  if (audit !== 'on' && audit !== 'off' && audit !== 'both')
    throw new Error('--audit must be on, off or both');
  const warmup = Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new Error('--warmup must be a whole number of seconds >= 0');
  return {
    scenarios: values.scenario === undefined ? undefined : list(values.scenario),
    skip: values.skip === undefined ? [] : list(values.skip),
    runs: positive('runs', values.runs),
    duration: positive('duration', values.duration),
    warmup,
    connections: list(values.connections).map((c) => positive('connections', c)),
    audit: audit === 'both' ? ['on', 'off'] : [audit],
    profile: values.profile,
  };
}
