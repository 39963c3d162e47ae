import { type Context, defineCommand } from '../command.ts';
import { EXIT_REMOTE } from '../exit-code.ts';
import type { FlagSpecs } from '../flags.ts';
import { table } from '../output.ts';
import { printWarnings } from '../secret-output.ts';

/** Keys as a one-column table, or a JSON array. */
export function printKeys(ctx: Context<FlagSpecs>, keys: readonly string[]): void {
  if (ctx.format === 'json') ctx.json(keys);
  else
    ctx.out(
      table(
        ['Keys'],
        keys.map((k) => [k]),
      ),
    );
}

export const list = defineCommand({
  name: 'list',
  synopsis: 'List data or secrets',
  usage: 'coffer list [options] PATH',
  description: `Lists data from Coffer at the given path. This can be used to list keys in a given
secrets engine.

List values under the "my-app" folder of the generic secrets engine:

  $ coffer list secret/my-app/`,
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = ctx.args[0]!;
    let keys: string[];
    try {
      const secret = await (await ctx.client()).list(path);
      if (secret && ctx.format === 'table') printWarnings(ctx, secret);
      keys = secret?.data?.keys ?? [];
    } catch (error) {
      return ctx.fail(`Error listing ${path}`, error);
    }
    if (keys.length === 0) {
      ctx.err(`No value found at ${path}`);
      return EXIT_REMOTE;
    }
    printKeys(ctx, keys);
    return 0;
  },
});
