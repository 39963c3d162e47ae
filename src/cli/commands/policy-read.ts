import type { AclPolicy } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT_REMOTE } from '../exit-code.ts';

export const policyRead = defineCommand({
  name: 'policy read',
  synopsis: 'Prints the contents of a policy',
  usage: 'coffer policy read [options] [NAME]',
  description: `Prints the contents and metadata of the Coffer policy named NAME. If the policy does
not exist, an error is returned.

Read the policy named "my-policy":

  $ coffer policy read my-policy`,
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const name = ctx.args[0]!.trim().toLowerCase();
    let policy: AclPolicy | null;
    try {
      policy = await (await ctx.client()).policies.read(name);
    } catch (error) {
      return ctx.fail(`Error reading policy named ${name}`, error);
    }
    if (policy === null) {
      ctx.err(`No policy named: ${name}`);
      return EXIT_REMOTE;
    }
    if (ctx.format === 'json') ctx.json({ policy: policy.policy });
    else ctx.out(policy.policy.trim());
    return 0;
  },
});
