import type { Secret } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT_REMOTE } from '../exit-code.ts';
import { printFieldOf, printSecret } from '../secret-output.ts';

export const read = defineCommand({
  name: 'read',
  synopsis: 'Read data and retrieves secrets',
  usage: 'coffer read [options] PATH',
  description: `Reads data from Coffer at the given path. This can be used to read secrets,
generate dynamic credentials, get configuration details, and more.

Read a secret from the static secrets engine:

  $ coffer read secret/my-secret

For a full list of examples and paths, please see the documentation that corresponds to the
secrets engine in use.`,
  flags: {
    field: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Print only the field with the given name. Specifying this option will take precedence over other formatting directives.',
    },
  },
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = ctx.args[0]!;
    let secret: Secret | null;
    try {
      secret = await (await ctx.client()).read(path);
    } catch (error) {
      return ctx.fail(`Error reading ${path}`, error);
    }
    if (secret === null) {
      ctx.err(`No value found at ${path}`);
      return EXIT_REMOTE;
    }
    if (ctx.flags.field !== undefined) return printFieldOf(ctx, secret, ctx.flags.field);
    printSecret(ctx, secret);
    return 0;
  },
});
