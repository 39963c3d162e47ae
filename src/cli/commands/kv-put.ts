import type { Secret } from '../../client/index.ts';
import { type Context, defineCommand } from '../command.ts';
import { dataSources, parseDataArgs } from '../data-args.ts';
import type { FlagSpecs } from '../flags.ts';
import { mapSection, pathSection, printSections } from '../kv-output.ts';
import { kvTarget, mountFlag } from '../kv-target.ts';
import { printFieldOf, printSecret } from '../secret-output.ts';

/** The output of a KV write: path and version metadata on v2, "Success!" on v1. */
export function printKvWrite(
  ctx: Context<FlagSpecs>,
  fullPath: string,
  v2: boolean,
  secret: Secret | null,
  field: string | undefined,
): number {
  if (secret === null) {
    if (ctx.format === 'table' && field === undefined) ctx.out(`Success! Data written to: ${fullPath}`);
    return 0;
  }
  if (field !== undefined) return printFieldOf(ctx, secret, field);
  if (ctx.format === 'json' || !v2 || secret.data === null) {
    printSecret(ctx, secret);
    return 0;
  }
  printSections(ctx, [pathSection('Secret Path', fullPath), mapSection('Metadata', secret.data)]);
  return 0;
}

export const kvWriteFlags = {
  ...mountFlag,
  cas: {
    type: 'int',
    default: -1,
    usage:
      "Specifies to use a Check-And-Set operation. If not set the write will be allowed. If set to 0 a write will only be allowed if the key doesn't exist. If the index is non-zero the write will only be allowed if the key's current version matches the version specified in the cas parameter (KV v2 only).",
  },
  field: {
    type: 'string',
    placeholder: '<string>',
    usage:
      'Print only the field with the given name. Specifying this option will take precedence over other formatting directives.',
  },
} as const;

export const kvPut = defineCommand({
  name: 'kv put',
  synopsis: 'Sets or updates data in the KV store',
  usage: 'coffer kv put [options] KEY [DATA]',
  description: `Writes the data to the given path in the key-value store. The data can be of any
type.

  $ coffer kv put -mount=secret foo bar=baz

The deprecated path-like syntax can also be used:

  $ coffer kv put secret/foo bar=baz

The data can also be consumed from a file on disk by prefixing with the "@" symbol, or from
stdin with "-":

  $ coffer kv put secret/foo @data.json
  $ coffer kv put secret/foo password=@password.txt
  $ echo "abcd1234" | coffer kv put secret/foo bar=-

On KV v2, -cas makes the write conditional on the current version.`,
  flags: kvWriteFlags,
  args: { min: 1 },
  interspersed: true,
  async run(ctx) {
    const [arg, ...rest] = ctx.args as [string, ...string[]];
    if (rest.length === 0) return ctx.usageError('Must supply data');
    const data = await parseDataArgs(rest, dataSources(ctx.io.stdin));
    const client = await ctx.client();
    let fullPath = arg;
    let v2 = false;
    let secret: Secret | null;
    try {
      const target = await kvTarget(client, arg, ctx.flags.mount);
      v2 = target.version === 2;
      fullPath = target.apiPath('data');
      const cas = ctx.flags.cas !== undefined && ctx.flags.cas >= 0 ? ctx.flags.cas : undefined;
      secret = v2
        ? ((await client.kvPut(target.mount, target.path, data, { cas })) as Secret | null)
        : await client.write(fullPath, data);
    } catch (error) {
      return ctx.fail(`Error writing data to ${fullPath}`, error);
    }
    return printKvWrite(ctx, fullPath, v2, secret, ctx.flags.field);
  },
});
