import type { SealStatus } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { promptSecret } from '../io.ts';
import { printSealStatus } from '../seal-status.ts';

export const operatorUnseal = defineCommand({
  name: 'operator unseal',
  synopsis: 'Unseals the server',
  usage: 'coffer operator unseal [options] [KEY]',
  description: `Provide a portion of the root key to unseal a Coffer server. Coffer starts in a
sealed state. It cannot perform operations until it is unsealed. This command accepts a
portion of the root key (an "unseal key").

The unseal key can be supplied as an argument to the command, but this is not recommended as
the unseal key will be available in your history:

  $ coffer operator unseal IXyR0OJnSFobekZMMCKCoVEpT7wI6l+USMzE3IcyDyo=

Instead, run the command with no arguments and it will prompt for the key:

  $ coffer operator unseal
  Unseal Key (will be hidden): IXyR0OJnSFobekZMMCKCoVEpT7wI6l+USMzE3IcyDyo=`,
  flags: {
    reset: {
      type: 'bool',
      usage: 'Discard any previously entered keys to the unseal process.',
    },
  },
  args: { max: 1 },
  async run(ctx) {
    const client = await ctx.client();
    let status: SealStatus;
    if (ctx.flags.reset) {
      try {
        status = await client.sys.unseal({ reset: true });
      } catch (error) {
        return ctx.fail('Error resetting unseal process', error);
      }
    } else {
      let key = ctx.args[0];
      if (key === undefined) {
        try {
          key = await promptSecret(ctx.io, 'Unseal Key (will be hidden): ');
        } catch (error) {
          return ctx.fail('Error attempting to ask for password', error);
        }
      }
      key = key.trim();
      if (key === '') return ctx.usageError('Missing unseal key');
      try {
        status = await client.sys.unseal(key);
      } catch (error) {
        return ctx.fail('Error unsealing', error);
      }
    }
    printSealStatus(ctx, status);
    return 0;
  },
});
