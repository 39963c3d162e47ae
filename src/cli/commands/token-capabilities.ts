import { defineCommand } from '../command.ts';

export const tokenCapabilities = defineCommand({
  name: 'token capabilities',
  synopsis: 'Print capabilities of a token on a path',
  usage: 'coffer token capabilities [options] [TOKEN | ACCESSOR] PATH',
  description: `Fetches the capabilities of a token or accessor for a given path. If a TOKEN is
provided as an argument, the "/sys/capabilities" endpoint and permission is used. If no TOKEN is
provided, the "/sys/capabilities-self" endpoint and permission is used with the locally
authenticated token.

List capabilities for the local token on the "secret/foo" path:

  $ coffer token capabilities secret/foo

List capabilities for a token on the "cubbyhole/foo" path:

  $ coffer token capabilities 96ddf4bc-d217-f3ba-f9bd-017055595017 cubbyhole/foo

List capabilities for a token on the "cubbyhole/foo" path via its accessor:

  $ coffer token capabilities -accessor 9793c9b3-e04a-46f3-e7b8-748d7da248da cubbyhole/foo`,
  flags: {
    accessor: {
      type: 'bool',
      usage: 'Treat the argument as an accessor instead of a token.',
    },
  },
  args: { min: 1, max: 2 },
  async run(ctx) {
    const [first, second] = ctx.args as [string, string | undefined];
    if (ctx.flags.accessor && second === undefined) {
      return ctx.usageError('Not enough arguments with -accessor (expected 2, got 1)');
    }
    const path = second ?? first;
    let capabilities: string[];
    try {
      const tokens = (await ctx.client()).tokens;
      if (second === undefined) capabilities = await tokens.capabilities(path);
      else if (ctx.flags.accessor) capabilities = await tokens.capabilitiesAccessor(path, first);
      else capabilities = await tokens.capabilities(path, first);
    } catch (error) {
      return ctx.fail('Error listing capabilities', error);
    }
    capabilities.sort();
    if (ctx.format === 'json') ctx.json(capabilities);
    else ctx.out(capabilities.join(', '));
    return 0;
  },
});
