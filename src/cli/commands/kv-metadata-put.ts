import type { KvMetadataInput } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT_LOCAL } from '../exit-code.ts';
import { parseKeyValueFlags } from '../flags.ts';
import { kvTarget, mountFlag } from '../kv-target.ts';

export const kvMetadataPut = defineCommand({
  name: 'kv metadata put',
  synopsis: 'Sets or updates key settings in the KV store',
  usage: 'coffer kv metadata put [options] KEY',
  description: `This command can be used to create a blank key in the key-value store or to update
key configuration for a specified key.

Create a key in the key-value store with no data:

  $ coffer kv metadata put -mount=secret foo

Set a max versions setting on the key:

  $ coffer kv metadata put -mount=secret -max-versions=5 foo

Require Check-and-Set for this key, and attach custom metadata:

  $ coffer kv metadata put -mount=secret -cas-required -custom-metadata=owner=team-a foo`,
  flags: {
    ...mountFlag,
    'max-versions': {
      type: 'int',
      usage: "The number of versions to keep. If not set, the backend's configured max version is used.",
    },
    'cas-required': {
      type: 'bool',
      usage: 'If true the key will require the cas parameter to be set on all write requests.',
    },
    'delete-version-after': {
      type: 'string',
      placeholder: '<duration>',
      usage:
        'Specifies the length of time before a version is deleted ("30m", "24h"). If not set, the backend\'s configured delete-version-after is used; "0s" means never.',
    },
    'custom-metadata': {
      type: 'list',
      placeholder: '<key=value>',
      usage:
        'Specifies arbitrary version-agnostic key=value metadata meant to describe a secret. May be repeated.',
    },
  },
  args: { min: 1, max: 1 },
  interspersed: true,
  async run(ctx) {
    const arg = ctx.args[0]!;
    const input: KvMetadataInput = {};
    if (ctx.flags['max-versions'] !== undefined) input.max_versions = ctx.flags['max-versions'];
    if (ctx.set.has('cas-required')) input.cas_required = ctx.flags['cas-required'];
    if (ctx.flags['delete-version-after'] !== undefined)
      input.delete_version_after = ctx.flags['delete-version-after'];
    if (ctx.flags['custom-metadata'].length > 0) {
      input.custom_metadata = parseKeyValueFlags('custom-metadata', ctx.flags['custom-metadata']);
    }
    const client = await ctx.client();
    let fullPath = arg;
    try {
      const target = await kvTarget(client, arg, ctx.flags.mount);
      fullPath = target.apiPath('metadata');
      if (target.version !== 2) {
        ctx.err('Metadata not supported on KV Version 1');
        return EXIT_LOCAL;
      }
      await client.kvMetadataPut(target.mount, target.path, input);
    } catch (error) {
      return ctx.fail(`Error writing data to ${fullPath}`, error);
    }
    ctx.out(`Success! Data written to: ${fullPath}`);
    return 0;
  },
});
