import type { Secret } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT_REMOTE } from '../exit-code.ts';
import { printFieldOf, printSecret } from '../secret-output.ts';

export const unwrap = defineCommand({
  name: 'unwrap',
  synopsis: 'Unwrap a wrapped secret',
  usage: 'coffer unwrap [options] [TOKEN]',
  description: `Unwraps a wrapped secret from Coffer by the given token. The result is the same as the
"coffer read" operation on the non-wrapped secret. If no token is given, the data in the
currently authenticated token is unwrapped.

Unwrap the data in the cubbyhole secrets engine for a token:

  $ coffer unwrap 3de9ece1-b347-e143-29b0-dc2dc31caafd

Unwrap the data in the active token:

  $ coffer login 848f9ccf-7176-098c-5e2b-75a0689d41cd
  $ coffer unwrap # unwraps 848f9ccf...`,
  flags: {
    field: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Print only the field with the given name. Specifying this option will take precedence over other formatting directives.',
    },
  },
  args: { max: 1 },
  async run(ctx) {
    let secret: Secret | null;
    try {
      secret = await (await ctx.client()).wrapping.unwrap(ctx.args[0]);
    } catch (error) {
      return ctx.fail('Error unwrapping', error);
    }
    if (secret === null) {
      ctx.err('Could not find wrapped response');
      return EXIT_REMOTE;
    }
    if (ctx.flags.field !== undefined) return printFieldOf(ctx, secret, ctx.flags.field);
    printSecret(ctx, secret);
    return 0;
  },
});
