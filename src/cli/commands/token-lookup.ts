import type { Secret, TokenLookupData } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { printSecret } from '../secret-output.ts';

export const tokenLookup = defineCommand({
  name: 'token lookup',
  synopsis: 'Display information about a token',
  usage: 'coffer token lookup [options] [TOKEN | ACCESSOR]',
  description: `Displays information about a token or accessor. If a TOKEN is not provided, the
locally authenticated token is used.

Get information about the locally authenticated token (this uses the /auth/token/lookup-self
endpoint and permission):

  $ coffer token lookup

Get information about a particular token (this uses the /auth/token/lookup endpoint and
permission):

  $ coffer token lookup 96ddf4bc-d217-f3ba-f9bd-017055595017

Get information about a token via its accessor:

  $ coffer token lookup -accessor 9793c9b3-e04a-46f3-e7b8-748d7da248da`,
  flags: {
    accessor: {
      type: 'bool',
      usage:
        'Treat the argument as an accessor instead of a token. When this option is selected, the output will NOT include the token.',
    },
  },
  args: { max: 1 },
  async run(ctx) {
    const arg = ctx.args[0];
    if (ctx.flags.accessor && arg === undefined) {
      return ctx.usageError('Not enough arguments with -accessor (expected 1, got 0)');
    }
    let secret: Secret<TokenLookupData>;
    try {
      const tokens = (await ctx.client()).tokens;
      if (arg === undefined) secret = await tokens.lookupSelf();
      else if (ctx.flags.accessor) secret = await tokens.lookupAccessor(arg);
      else secret = await tokens.lookup(arg);
    } catch (error) {
      return ctx.fail('Error looking up token', error);
    }
    printSecret(ctx, secret);
    return 0;
  },
});
