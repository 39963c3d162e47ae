import type { AuthMountOutput } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { formatValue, humanDuration, table } from '../output.ts';

function ttl(seconds: number | undefined): string {
  return seconds === undefined || seconds === 0 ? 'system' : humanDuration(seconds);
}

function text(value: string | undefined): string {
  return value === '' || value === undefined ? 'n/a' : value;
}

export const authList = defineCommand({
  name: 'auth list',
  synopsis: 'Lists enabled auth methods',
  usage: 'coffer auth list [options]',
  description: `Lists the enabled auth methods on the Coffer server. This command also outputs
information about the method including configuration and human-friendly descriptions. A TTL of
"system" indicates that the system default is in use.

List all enabled auth methods:

  $ coffer auth list

List all enabled auth methods with detailed output:

  $ coffer auth list -detailed`,
  flags: {
    detailed: {
      type: 'bool',
      usage:
        'Print detailed information such as configuration and replication status about each auth method.',
    },
  },
  args: { max: 0 },
  async run(ctx) {
    let mounts: Record<string, AuthMountOutput>;
    try {
      mounts = await (await ctx.client()).auth.list();
    } catch (error) {
      return ctx.fail('Error listing enabled authentications', error);
    }
    if (ctx.format === 'json') {
      ctx.json(mounts);
      return 0;
    }
    const paths = Object.keys(mounts).sort();
    const version = (m: AuthMountOutput) => text(m.running_plugin_version || m.plugin_version);
    if (!ctx.flags.detailed) {
      ctx.out(
        table(
          ['Path', 'Type', 'Accessor', 'Description', 'Version'],
          paths.map((p) => {
            const m = mounts[p]!;
            return [p, m.type, m.accessor ?? '', text(m.description), version(m)];
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
          'Token Type',
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
            m.config?.token_type ?? 'default-service',
            m.local ? 'local' : 'replicated',
            String(m.seal_wrap ?? false),
            String(m.external_entropy_access ?? false),
            formatValue(m.options ?? null),
            text(m.description),
            text(m.uuid),
            version(m),
          ];
        }),
      ),
    );
    return 0;
  },
});
