import { defineCommand } from '../command.ts';
import { withSlash } from '../mount-path.ts';

export const authDisable = defineCommand({
  name: 'auth disable',
  synopsis: 'Disables an auth method',
  usage: 'coffer auth disable [options] PATH',
  description: `Disables an existing auth method at the given PATH. The argument corresponds to the
PATH of the mount, not the TYPE! Once the auth method is disabled its path can no longer be used
to authenticate.

All access tokens generated via the disabled auth method are immediately revoked. This command
will block until all tokens are revoked.

Disable the auth method at userpass/:

  $ coffer auth disable userpass/`,
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = withSlash(ctx.args[0]!);
    try {
      await (await ctx.client()).auth.disable(path);
    } catch (error) {
      return ctx.fail(`Error disabling auth method at ${path}`, error);
    }
    ctx.out(`Success! Disabled the auth method (if it existed) at: ${path}`);
    return 0;
  },
});
