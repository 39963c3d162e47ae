import type { Secret } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT_LOCAL, EXIT_REMOTE } from '../exit-code.ts';
import { FlagError } from '../flags.ts';
import { mapSection, pathSection, printSections } from '../kv-output.ts';
import { kvTarget, mountFlag } from '../kv-target.ts';
import { printField, printFieldOf, printSecret, printWarnings } from '../secret-output.ts';

type Data = Record<string, unknown>;

export const kvGet = defineCommand({
  name: 'kv get',
  synopsis: 'Retrieves data from the KV store',
  usage: 'coffer kv get [options] KEY',
  description: `Retrieves the value from Coffer's key-value store at the given key name. If no key
exists with that name, an error is returned. If a key exists with that name but has no data,
nothing is returned.

  $ coffer kv get -mount=secret foo

The deprecated path-like syntax can also be used:

  $ coffer kv get secret/foo

To view the given key name at a specific version in time, specify the "-version" flag:

  $ coffer kv get -mount=secret -version=1 foo`,
  flags: {
    ...mountFlag,
    version: {
      type: 'int',
      usage: 'If passed, the value at the version number will be returned (KV v2 only).',
    },
    field: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Print only the field with the given name. Specifying this option will take precedence over other formatting directives.',
    },
  },
  args: { min: 1, max: 1 },
  interspersed: true,
  async run(ctx) {
    const arg = ctx.args[0]!;
    const version = ctx.flags.version;
    if (version !== undefined && version < 0) throw new FlagError('-version must be a positive integer');
    const client = await ctx.client();
    let fullPath = arg;
    let v2 = false;
    let secret: Secret | null;
    try {
      const target = await kvTarget(client, arg, ctx.flags.mount);
      v2 = target.version === 2;
      fullPath = target.apiPath('data');
      secret = v2
        ? ((await client.kvGet(target.mount, target.path, { version })) as Secret | null)
        : await client.read(fullPath);
    } catch (error) {
      return ctx.fail(`Error reading ${fullPath}`, error);
    }
    if (secret === null) {
      ctx.err(`No value found at ${fullPath}`);
      return EXIT_REMOTE;
    }
    const data = (v2 ? (secret.data?.data ?? null) : secret.data) as Data | null;
    const metadata = (v2 ? (secret.data?.metadata ?? null) : null) as Data | null;

    if (ctx.flags.field !== undefined) {
      if (data !== null && Object.hasOwn(data, ctx.flags.field)) {
        printField(ctx, data[ctx.flags.field]);
        return 0;
      }
      if (v2 && !secret.wrap_info) {
        ctx.err(`Field "${ctx.flags.field}" not present in secret`);
        return EXIT_LOCAL;
      }
      return printFieldOf(ctx, secret, ctx.flags.field);
    }
    if (ctx.format === 'json' || secret.wrap_info) {
      printSecret(ctx, secret);
      return 0;
    }
    printWarnings(ctx, secret);
    const sections: string[] = [];
    if (v2) sections.push(pathSection('Secret Path', fullPath));
    if (metadata !== null) sections.push(mapSection('Metadata', metadata));
    if (data !== null) sections.push(mapSection('Data', data));
    printSections(ctx, sections);
    return 0;
  },
});
