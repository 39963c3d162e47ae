import type { MountOutput } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { formatValue, humanDuration, table } from '../output.ts';

function ttl(seconds: number | undefined): string {
  return seconds === undefined || seconds === 0 ? 'system' : humanDuration(seconds);
}

function description(m: MountOutput): string {
  return m.description === '' || m.description === undefined ? 'n/a' : m.description;
}

export const secretsList = defineCommand({
  name: 'secrets list',
  synopsis: 'List enabled secrets engines',
  usage: 'coffer secrets list [options]',
  description: `Lists the enabled secrets engines on the Coffer server. This command also outputs
information about the enabled path including configured TTLs and human-friendly descriptions.

List all enabled secrets engines:

  $ coffer secrets list

List all enabled secrets engines with detailed output:

  $ coffer secrets list -detailed`,
  flags: {
    detailed: {
      type: 'bool',
      usage: 'Print detailed information such as TTLs and replication status about each secrets engine.',
    },
  },
  args: { max: 0 },
  async run(ctx) {
    let mounts: Record<string, MountOutput>;
    try {
      mounts = await (await ctx.client()).sys.mounts();
    } catch (error) {
      return ctx.fail('Error listing secrets engines', error);
    }
    if (ctx.format === 'json') {
      ctx.json(mounts);
      return 0;
    }
    const paths = Object.keys(mounts).sort();
    if (!ctx.flags.detailed) {
      ctx.out(
        table(
          ['Path', 'Type', 'Accessor', 'Description'],
          paths.map((p) => {
            const m = mounts[p]!;
            return [p, m.type, m.accessor ?? '', description(m)];
          }),
        ),
      );
      return 0;
    }
    ctx.out(
      table(
        [
          'Path',
          'Plugin',
          'Accessor',
          'Default TTL',
          'Max TTL',
          'Force No Cache',
          'Replication',
          'Seal Wrap',
          'External Entropy Access',
          'Options',
          'Description',
          'UUID',
          'Version',
        ],
        paths.map((p) => {
          const m = mounts[p]!;
          return [
            p,
            m.type,
            m.accessor ?? '',
            ttl(m.config?.default_lease_ttl),
            ttl(m.config?.max_lease_ttl),
            String(m.config?.force_no_cache ?? false),
            m.local ? 'local' : 'replicated',
            String(m.seal_wrap ?? false),
            String(m.external_entropy_access ?? false),
            formatValue(m.options ?? null),
            description(m),
            m.uuid || 'n/a',
            m.running_plugin_version || m.plugin_version || 'n/a',
          ];
        }),
      ),
    );
    return 0;
  },
});
