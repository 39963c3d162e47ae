import type { KvMetadata, Secret } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT_LOCAL, EXIT_REMOTE } from '../exit-code.ts';
import { mapSection, pathSection, printSections } from '../kv-output.ts';
import { kvTarget, mountFlag } from '../kv-target.ts';
import { printSecret, printWarnings } from '../secret-output.ts';

export const kvMetadataGet = defineCommand({
  name: 'kv metadata get',
  synopsis: 'Retrieves key metadata from the KV store',
  usage: 'coffer kv metadata get [options] KEY',
  description: `Retrieves the metadata from Coffer's key-value store at the given key name. If no
key exists with that name, an error is returned.

  $ coffer kv metadata get -mount=secret foo`,
  flags: { ...mountFlag },
  args: { min: 1, max: 1 },
  interspersed: true,
  async run(ctx) {
    const arg = ctx.args[0]!;
    const client = await ctx.client();
    let fullPath = arg;
    let secret: Secret<KvMetadata> | null;
    try {
      const target = await kvTarget(client, arg, ctx.flags.mount);
      fullPath = target.apiPath('metadata');
      if (target.version !== 2) {
        ctx.err('Metadata not supported on KV Version 1');
        return EXIT_LOCAL;
      }
      secret = await client.kvMetadataGet(target.mount, target.path);
    } catch (error) {
      return ctx.fail(`Error reading ${fullPath}`, error);
    }
    if (secret === null || secret.data === null) {
      ctx.err(`No value found at ${fullPath}`);
      return EXIT_REMOTE;
    }
    if (ctx.format === 'json') {
      printSecret(ctx, secret);
      return 0;
    }
    printWarnings(ctx, secret);
    const { versions, ...metadata } = secret.data;
    const sections = [pathSection('Metadata Path', fullPath), mapSection('Metadata', metadata)];
    const numbers = Object.keys(versions ?? {}).sort((a, b) => Number(a) - Number(b));
    for (const n of numbers) sections.push(mapSection(`Version ${n}`, { ...versions[n] }));
    printSections(ctx, sections);
    return 0;
  },
});
