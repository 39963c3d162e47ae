import type { Secret } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { dataSources, parseDataArgs } from '../data-args.ts';
import { EXIT_REMOTE } from '../exit-code.ts';
import { kvTarget } from '../kv-target.ts';
import { kvWriteFlags, printKvWrite } from './kv-put.ts';

export const kvPatch = defineCommand({
  name: 'kv patch',
  synopsis: 'Sets or updates data in the KV store without overwriting',
  usage: 'coffer kv patch [options] KEY [DATA]',
  description: `Writes the data to the corresponding path in the key-value store. The data is
merged with the latest version (a JSON merge patch): keys not given are kept. This only works
on KV v2.

  $ coffer kv patch -mount=secret foo bar=baz

Remove keys with -remove:

  $ coffer kv patch -mount=secret -remove=bar foo`,
  flags: {
    ...kvWriteFlags,
    remove: {
      type: 'list',
      placeholder: '<string>',
      usage: 'Key to remove from the secret. May be repeated.',
    },
  },
  args: { min: 1 },
  interspersed: true,
  async run(ctx) {
    const [arg, ...rest] = ctx.args as [string, ...string[]];
    if (rest.length === 0 && ctx.flags.remove.length === 0) return ctx.usageError('Must supply data');
    const data = await parseDataArgs(rest, dataSources(ctx.io.stdin));
    for (const key of ctx.flags.remove) data[key] = null;
    const client = await ctx.client();
    let fullPath = arg;
    let secret: Secret | null;
    try {
      const target = await kvTarget(client, arg, ctx.flags.mount);
      fullPath = target.apiPath('data');
      if (target.version !== 2) {
        ctx.err('K/V engine mount must be version 2 for patch support');
        return EXIT_REMOTE;
      }
      const cas = ctx.flags.cas !== undefined && ctx.flags.cas >= 0 ? ctx.flags.cas : undefined;
      secret = (await client.kvPatch(target.mount, target.path, data, { cas })) as Secret | null;
    } catch (error) {
      return ctx.fail(`Error writing data to ${fullPath}`, error);
    }
    return printKvWrite(ctx, fullPath, true, secret, ctx.flags.field);
  },
});
