/** What `kv undelete` and `kv destroy` share: a -versions list posted to `<mount>/<verb>/<path>`. */
import type { Context } from './command.ts';
import { EXIT_LOCAL } from './exit-code.ts';
import { parseIntList } from './flags.ts';
import { kvTarget, mountFlag } from './kv-target.ts';

export function versionsFlags(verb: string) {
  return {
    ...mountFlag,
    versions: {
      type: 'list',
      placeholder: '<int,int,...>',
      usage: `Specifies the version numbers to ${verb}; comma separated or repeated.`,
    },
  } as const;
}

type Ctx = Context<ReturnType<typeof versionsFlags>>;

export async function runVersionsCommand(ctx: Ctx, verb: 'undelete' | 'destroy'): Promise<number> {
  const arg = ctx.args[0]!;
  const versions = parseIntList('versions', ctx.flags.versions);
  if (versions.length === 0) {
    ctx.err(`No versions provided, use the "-versions" flag to specify the version to ${verb}.`);
    return EXIT_LOCAL;
  }
  const client = await ctx.client();
  let fullPath = arg;
  try {
    const target = await kvTarget(client, arg, ctx.flags.mount);
    fullPath = target.apiPath(verb);
    if (target.version !== 2) {
      ctx.err(`${verb === 'undelete' ? 'Undelete' : 'Destroy'} not supported on KV Version 1`);
      return EXIT_LOCAL;
    }
    if (verb === 'undelete') await client.kvUndelete(target.mount, target.path, versions);
    else await client.kvDestroy(target.mount, target.path, versions);
  } catch (error) {
    return ctx.fail(`Error writing data to ${fullPath}`, error);
  }
  ctx.out(`Success! Data written to: ${fullPath}`);
  return 0;
}
