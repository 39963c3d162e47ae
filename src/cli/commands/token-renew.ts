import type { Secret } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { printSecret } from '../secret-output.ts';

export const tokenRenew = defineCommand({
  name: 'token renew',
  synopsis: 'Renew a token lease',
  usage: 'coffer token renew [options] [TOKEN]',
  description: `Renews a token's lease, extending the amount of time it can be used. If a TOKEN is
not provided, the locally authenticated token is used. A token accessor can be used as well.
Lease renewal will fail if the token is not renewable, the token has already been revoked, or
if the token has already reached its maximum TTL.

Renew a token (this uses the /auth/token/renew endpoint and permission):

  $ coffer token renew 96ddf4bc-d217-f3ba-f9bd-017055595017

Renew the currently authenticated token (this uses the /auth/token/renew-self endpoint and
permission):

  $ coffer token renew

Renew a token requesting a specific increment value:

  $ coffer token renew -increment=30m 96ddf4bc-d217-f3ba-f9bd-017055595017`,
  flags: {
    increment: {
      type: 'string',
      placeholder: '<duration>',
      usage:
        'Request a specific increment for renewal. This increment may not be honored, for instance in the case of periodic tokens. If not supplied, Coffer will use the default TTL.',
    },
    i: { type: 'string', placeholder: '<duration>', usage: 'Alias for -increment.' },
    accessor: {
      type: 'bool',
      usage: 'Treat the argument as an accessor instead of a token.',
    },
  },
  args: { max: 1 },
  async run(ctx) {
    const arg = ctx.args[0];
    if (ctx.flags.accessor && arg === undefined) {
      return ctx.usageError('Not enough arguments with -accessor (expected 1, got 0)');
    }
    const increment = ctx.flags.increment ?? ctx.flags.i;
    let secret: Secret<null>;
    try {
      const tokens = (await ctx.client()).tokens;
      if (arg === undefined) secret = await tokens.renewSelf(increment);
      else if (ctx.flags.accessor) secret = await tokens.renewAccessor(arg, increment);
      else secret = await tokens.renew(arg, increment);
    } catch (error) {
      return ctx.fail('Error renewing token', error);
    }
    printSecret(ctx, secret);
    return 0;
  },
});
