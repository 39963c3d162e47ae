import { defineCommand } from '../command.ts';

export const policyDelete = defineCommand({
  name: 'policy delete',
  synopsis: 'Deletes a policy by name',
  usage: 'coffer policy delete [options] NAME',
  description: `Deletes the policy named NAME in the Coffer server. Once the policy is deleted, all
tokens associated with the policy are affected immediately.

Delete the policy named "my-policy":

  $ coffer policy delete my-policy

Note that it is not possible to delete the "default" or "root" policies. These are built-in
policies.`,
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const name = ctx.args[0]!.trim().toLowerCase();
    try {
      await (await ctx.client()).policies.delete(name);
    } catch (error) {
      return ctx.fail(`Error deleting ${name}`, error);
    }
    ctx.out(`Success! Deleted policy: ${name}`);
    return 0;
  },
});
