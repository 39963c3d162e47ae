import type { SealStatus } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { printSealStatus } from '../seal-status.ts';

export const status = defineCommand({
  name: 'status',
  synopsis: 'Print seal and HA status',
  usage: 'coffer status [options]',
  description: `Prints the current state of Coffer including whether it is sealed.

The exit code reflects the seal status:

    - 0 - unsealed
    - 1 - error
    - 2 - sealed

  $ coffer status`,
  flags: {},
  args: { max: 0 },
  async run(ctx) {
    let s: SealStatus;
    try {
      s = await (await ctx.client()).sys.sealStatus();
    } catch (error) {
      return ctx.fail('Error checking seal status', error);
    }
    printSealStatus(ctx, s);
    return s.sealed ? 2 : 0;
  },
});
