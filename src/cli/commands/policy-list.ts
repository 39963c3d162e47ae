import { defineCommand } from '../command.ts';

export const policyList = defineCommand({
  name: 'policy list',
  synopsis: 'Lists the installed policies',
  usage: 'coffer policy list [options]',
  description: `Lists the names of the policies that are installed on the Coffer server.

List the available policies:

  $ coffer policy list`,
  flags: {},
  args: { max: 0 },
  async run(ctx) {
    let names: string[];
    try {
      names = await (await ctx.client()).policies.list();
    } catch (error) {
      return ctx.fail('Error listing policies', error);
    }
    if (ctx.format === 'json') ctx.json(names);
    else if (names.length > 0) ctx.out(names.join('\n'));
    return 0;
  },
});
