import { readFileSync } from 'node:fs';
import { defineCommand } from '../command.ts';

/** The version from package.json. */
export function cofferVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

export const version = defineCommand({
  name: 'version',
  synopsis: 'Prints the Coffer CLI version',
  usage: 'coffer version',
  description: `Prints the version of this Coffer CLI. This does not print the target Coffer server
version; use "coffer status" for that.

  $ coffer version`,
  flags: {},
  args: { max: 0 },
  async run(ctx) {
    ctx.out(`Coffer v${cofferVersion()}`);
    return 0;
  },
});
