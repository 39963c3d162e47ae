import { defineCommand } from '../command.ts';

export const deleteCommand = defineCommand({
  name: 'delete',
  synopsis: 'Delete secrets and configuration',
  usage: 'coffer delete [options] PATH',
  description: `Deletes secrets and configuration from Coffer at the given path. The behavior of
"delete" is delegated to the backend corresponding to the given path.

Remove data in the status secrets engine:

  $ coffer delete secret/my-secret

Uninstall an encryption key in the transit backend:

  $ coffer delete transit/keys/my-key`,
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = ctx.args[0]!;
    try {
      await (await ctx.client()).delete(path);
    } catch (error) {
      return ctx.fail(`Error deleting ${path}`, error);
    }
    ctx.out(`Success! Data deleted (if it existed) at: ${path}`);
    return 0;
  },
});
