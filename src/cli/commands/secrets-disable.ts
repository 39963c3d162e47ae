import { defineCommand } from '../command.ts';

export const secretsDisable = defineCommand({
  name: 'secrets disable',
  synopsis: 'Disable a secrets engine',
  usage: 'coffer secrets disable [options] PATH',
  description: `Disables a secrets engine at the given PATH. The argument corresponds to the
enabled PATH of the engine, not the TYPE! All secrets created by this engine are revoked and
its Coffer data is removed.

Disable the secrets engine enabled at aws/:

  $ coffer secrets disable aws/`,
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const trimmed = ctx.args[0]!.replace(/^\/+/, '');
    const path = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
    try {
      await (await ctx.client()).sys.disableMount(path);
    } catch (error) {
      return ctx.fail(`Error disabling secrets engine at ${path}`, error);
    }
    ctx.out(`Success! Disabled the secrets engine (if it existed) at: ${path}`);
    return 0;
  },
});
