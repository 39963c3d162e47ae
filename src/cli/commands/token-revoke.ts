import { defineCommand } from '../command.ts';

export const tokenRevoke = defineCommand({
  name: 'token revoke',
  synopsis: 'Revoke a token and its children',
  usage: 'coffer token revoke [options] [TOKEN | ACCESSOR]',
  description: `Revokes authentication tokens and their children. If a TOKEN is not provided, the
"-self" flag must be used to revoke the locally authenticated token.

The "-mode" flag can be used to control the behavior of the revocation:

  - "orphan": revoke the given token but leave its children; they become orphans.
  - "path": revoke every token created at the given path prefix (auth/token/create…).

Revoke a token and all the token's children:

  $ coffer token revoke 96ddf4bc-d217-f3ba-f9bd-017055595017

Revoke a token leaving the token's children:

  $ coffer token revoke -mode=orphan 96ddf4bc-d217-f3ba-f9bd-017055595017

Revoke a token by accessor:

  $ coffer token revoke -accessor 9793c9b3-e04a-46f3-e7b8-748d7da248da`,
  flags: {
    accessor: {
      type: 'bool',
      usage: 'Treat the argument as an accessor instead of a token.',
    },
    self: {
      type: 'bool',
      usage: 'Perform the revocation on the currently authenticated token.',
    },
    mode: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Type of revocation to perform. If unspecified, Coffer will revoke the token and all of the token\'s children. If "orphan", Coffer will revoke only the token, leaving the children as orphans. If "path", tokens created from the given authentication path prefix are deleted along with their children.',
    },
  },
  args: { max: 1 },
  async run(ctx) {
    const { accessor, self, mode } = ctx.flags;
    const n = ctx.args.length;
    if (self && n > 0) return ctx.usageError(`Too many arguments with -self (expected 0, got ${n})`);
    if (!self && n < 1) return ctx.usageError(`Not enough arguments (expected 1 or -self, got ${n})`);
    if (self && accessor) return ctx.usageError('Cannot use -self with -accessor!');
    if (self && mode !== undefined) return ctx.usageError('Cannot use -self with -mode!');
    if (mode !== undefined && mode !== '' && mode !== 'orphan' && mode !== 'path') {
      return ctx.usageError(`Invalid mode "${mode}": must be "orphan" or "path"`);
    }
    if (accessor && mode !== undefined && mode !== '') {
      return ctx.usageError(`Cannot use -accessor with -mode=${mode}!`);
    }
    const arg = ctx.args[0]!;
    try {
      const client = await ctx.client();
      if (self) await client.tokens.revokeSelf();
      else if (accessor) await client.tokens.revokeAccessor(arg);
      else if (mode === 'orphan') await client.tokens.revokeOrphan(arg);
      else if (mode === 'path')
        await client.request('POST', `sys/leases/revoke-prefix/${arg.replace(/^\/+/, '')}`);
      else await client.tokens.revoke(arg);
    } catch (error) {
      return ctx.fail('Error revoking token', error);
    }
    ctx.out('Success! Revoked token (if it existed)');
    return 0;
  },
});
