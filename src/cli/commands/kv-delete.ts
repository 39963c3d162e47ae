import { defineCommand } from '../command.ts';
import { parseIntList } from '../flags.ts';
import { kvTarget, mountFlag } from '../kv-target.ts';

export const kvDelete = defineCommand({
  name: 'kv delete',
  synopsis: 'Deletes versions in the KV store',
  usage: 'coffer kv delete [options] PATH',
  description: `Deletes the data for the provided version and path in the key-value store. The
versioned data will not be fully removed, but marked as deleted and will no longer be returned
in normal get requests.

To delete the latest version of the key "foo":

  $ coffer kv delete -mount=secret foo

To delete version 3 of key foo:

  $ coffer kv delete -mount=secret -versions=3 foo`,
  flags: {
    ...mountFlag,
    versions: {
      type: 'list',
      placeholder: '<int,int,...>',
      usage: 'Specifies the version numbers to delete (KV v2 only); comma separated or repeated.',
    },
  },
  args: { min: 1, max: 1 },
  interspersed: true,
  async run(ctx) {
    const arg = ctx.args[0]!;
    const versions = parseIntList('versions', ctx.flags.versions);
    const client = await ctx.client();
    let fullPath = arg;
    try {
      const target = await kvTarget(client, arg, ctx.flags.mount);
      if (target.version === 2) {
        fullPath = target.apiPath(versions.length > 0 ? 'delete' : 'data');
        await client.kvDelete(target.mount, target.path, { versions });
      } else {
        fullPath = target.apiPath('data');
        await client.delete(fullPath);
      }
    } catch (error) {
      return ctx.fail(`Error deleting ${fullPath}`, error);
    }
    ctx.out(`Success! Data deleted (if it existed) at: ${fullPath}`);
    return 0;
  },
});
