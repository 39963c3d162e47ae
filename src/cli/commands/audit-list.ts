import type { AuditDevice } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT_REMOTE } from '../exit-code.ts';
import { formatValue, table } from '../output.ts';

export const auditList = defineCommand({
  name: 'audit list',
  synopsis: 'Lists enabled audit devices',
  usage: 'coffer audit list [options]',
  description: `Lists the enabled audit devices in the Coffer server. The output lists the enabled
audit devices and the options for those devices.

List all audit devices:

  $ coffer audit list

List detailed output about the audit devices:

  $ coffer audit list -detailed`,
  flags: {
    detailed: {
      type: 'bool',
      usage: 'Print detailed information such as options and replication status about each audit device.',
    },
  },
  args: { max: 0 },
  async run(ctx) {
    let devices: Record<string, AuditDevice>;
    try {
      devices = await (await ctx.client()).audit.list();
    } catch (error) {
      return ctx.fail('Error listing audits', error);
    }
    if (ctx.format === 'json') {
      ctx.json(devices);
      return 0;
    }
    const paths = Object.keys(devices).sort();
    if (paths.length === 0) {
      ctx.out('No audit devices are enabled.');
      return EXIT_REMOTE;
    }
    const description = (d: AuditDevice) => (d.description === '' ? 'n/a' : d.description);
    if (!ctx.flags.detailed) {
      ctx.out(
        table(
          ['Path', 'Type', 'Description'],
          paths.map((p) => [p, devices[p]!.type, description(devices[p]!)]),
        ),
      );
      return 0;
    }
    ctx.out(
      table(
        ['Path', 'Type', 'Description', 'Replication', 'Options'],
        paths.map((p) => {
          const d = devices[p]!;
          const options = Object.keys(d.options ?? {})
            .sort()
            .map((k) => `${k}=${formatValue(d.options?.[k])}`)
            .join(' ');
          return [p, d.type, description(d), d.local ? 'local' : 'replicated', options];
        }),
      ),
    );
    return 0;
  },
});
