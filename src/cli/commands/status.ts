import type { SealStatus } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT_LOCAL, EXIT_OK } from '../exit-code.ts';
import { printSealStatus } from '../seal-status.ts';

/** Vault's status documents its own codes: 2 means sealed here, so every error is 1. */
const SEALED = 2;

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
      ctx.fail('Error checking seal status', error);
      return EXIT_LOCAL;
    }
    printSealStatus(ctx, s);
    return s.sealed ? SEALED : EXIT_OK;
  },
});
