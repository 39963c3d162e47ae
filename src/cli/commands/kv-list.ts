import { defineCommand } from '../command.ts';
import { EXIT_REMOTE } from '../exit-code.ts';
import { kvTarget, mountFlag } from '../kv-target.ts';
import { printKeys } from './list.ts';

export const kvList = defineCommand({
  name: 'kv list',
  synopsis: 'List data or secrets',
  usage: 'coffer kv list [options] PATH',
  description: `Lists data from Coffer's key-value store at the given path.

List values under the "my-app" folder of the key-value store:

  $ coffer kv list -mount=secret my-app/

The deprecated path-like syntax can also be used:

  $ coffer kv list secret/my-app/`,
  flags: { ...mountFlag },
  args: { min: 0, max: 1 },
  interspersed: true,
  async run(ctx) {
    const arg = ctx.args[0] ?? '';
    if (arg === '' && (ctx.flags.mount ?? '') === '')
      return ctx.usageError('Not enough arguments (expected 1, got 0)');
    const client = await ctx.client();
    let fullPath = arg;
    let keys: string[];
    try {
      const target = await kvTarget(client, arg, ctx.flags.mount);
      fullPath = target.apiPath('metadata');
      if (target.version === 2) {
        keys = await client.kvList(target.mount, target.path);
      } else {
        keys = (await client.list(fullPath))?.data?.keys ?? [];
      }
    } catch (error) {
      return ctx.fail(`Error listing ${fullPath}`, error);
    }
    if (keys.length === 0) {
      ctx.err(`No value found at ${fullPath}`);
      return EXIT_REMOTE;
    }
    printKeys(ctx, keys);
    return 0;
  },
});
