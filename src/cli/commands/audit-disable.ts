import { defineCommand } from '../command.ts';
import { withSlash } from '../mount-path.ts';

export const auditDisable = defineCommand({
  name: 'audit disable',
  synopsis: 'Disables an audit device',
  usage: 'coffer audit disable [options] PATH',
  description: `Disables an audit device. Once an audit device is disabled, no future audit logs are
dispatched to it. The data associated with the audit device is unaffected.

The argument corresponds to the PATH of audit device, not the TYPE!

Disable the audit device enabled at "file/":

  $ coffer audit disable file/`,
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = withSlash(ctx.args[0]!);
    try {
      await (await ctx.client()).audit.disable(path);
    } catch (error) {
      return ctx.fail('Error disabling audit device', error);
    }
    ctx.out(`Success! Disabled audit device (if it was enabled) at: ${path}`);
    return 0;
  },
});
