import { defineCommand } from '../command.ts';
import { EXIT_LOCAL } from '../exit-code.ts';
import { kvTarget, mountFlag } from '../kv-target.ts';

export const kvMetadataDelete = defineCommand({
  name: 'kv metadata delete',
  synopsis: 'Deletes all versions and metadata for a key in the KV store',
  usage: 'coffer kv metadata delete [options] PATH',
  description: `Deletes all versions and metadata for the provided key.

  $ coffer kv metadata delete -mount=secret foo`,
  flags: { ...mountFlag },
  args: { min: 1, max: 1 },
  interspersed: true,
  async run(ctx) {
    const arg = ctx.args[0]!;
    const client = await ctx.client();
    let fullPath = arg;
    try {
      const target = await kvTarget(client, arg, ctx.flags.mount);
      fullPath = target.apiPath('metadata');
      if (target.version !== 2) {
        ctx.err('Metadata not supported on KV Version 1');
        return EXIT_LOCAL;
      }
      await client.kvMetadataDelete(target.mount, target.path);
    } catch (error) {
      return ctx.fail(`Error deleting ${fullPath}`, error);
    }
    ctx.out(`Success! Data deleted (if it existed) at: ${fullPath}`);
    return 0;
  },
});
