import { defineCommand } from '../command.ts';
import { EXIT_REMOTE } from '../exit-code.ts';
import { printKeys } from './list.ts';

export const leaseList = defineCommand({
  name: 'lease list',
  synopsis: 'List the leases under a prefix',
  usage: 'coffer lease list [options] PREFIX',
  description: `Lists the lease IDs (and the prefixes holding more, ending in "/") under a prefix,
through sys/leases/lookup/PREFIX. Coffer's addition: Vault's CLI has no such command.

List the leases of a database role:

  $ coffer lease list database/creds/readonly/`,
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const prefix = ctx.args[0]!;
    let keys: string[];
    try {
      keys = await (await ctx.client()).leases.list(prefix);
    } catch (error) {
      return ctx.fail(`Error listing leases under ${prefix}`, error);
    }
    if (keys.length === 0) {
      ctx.err(`No leases found under ${prefix}`);
      return EXIT_REMOTE;
    }
    printKeys(ctx, keys);
    return 0;
  },
});
