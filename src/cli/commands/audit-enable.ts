import type { EnableAuditInput } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { withSlash } from '../mount-path.ts';

export const auditEnable = defineCommand({
  name: 'audit enable',
  synopsis: 'Enables an audit device',
  usage: 'coffer audit enable [options] TYPE [CONFIG K=V...]',
  description: `Enables an audit device at a given path.

This command enables an audit device of TYPE. Additional options for configuring the audit
device can be specified after the type in the same format as the "coffer write" command in
key/value pairs.

For example, to configure the file audit device to write audit logs at the path
"/var/log/coffer/audit.log":

  $ coffer audit enable file file_path=/var/log/coffer/audit.log`,
  flags: {
    path: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Place where the audit device will be accessible. This must be unique across all audit devices. This defaults to the "type" of the audit device.',
    },
    description: {
      type: 'string',
      placeholder: '<string>',
      usage: 'Human-friendly description for the purpose of this audit device.',
    },
    local: {
      type: 'bool',
      usage:
        'Mark the audit device as a local-only device. Local devices are not replicated or removed by replication.',
    },
  },
  args: { min: 1 },
  async run(ctx) {
    const [type, ...pairs] = ctx.args as [string, ...string[]];
    const options: Record<string, string> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return ctx.usageError(`Invalid option "${pair}": options must be key=value`);
      options[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const path = withSlash(ctx.flags.path ?? type);
    const input: EnableAuditInput = { type, description: ctx.flags.description ?? '', options };
    if (ctx.flags.local) input.local = true;
    try {
      await (await ctx.client()).audit.enable(path, input);
    } catch (error) {
      return ctx.fail('Error enabling audit device', error);
    }
    ctx.out(`Success! Enabled the ${type} audit device at: ${path}`);
    return 0;
  },
});
