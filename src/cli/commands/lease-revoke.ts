import { defineCommand } from '../command.ts';
import { EXIT_LOCAL } from '../exit-code.ts';

export const leaseRevoke = defineCommand({
  name: 'lease revoke',
  synopsis: 'Revoke a lease and all children',
  usage: 'coffer lease revoke [options] ID',
  description: `Revokes secrets by their lease ID. This command can revoke a single secret or
multiple secrets based on a path-matched prefix.

The default behavior when not using -force is to revoke asynchronously; Coffer will queue the
revocation and keep trying if it fails (including across restarts). The -sync flag can be used
to force a synchronous operation, but it is then up to the caller to retry on failure. Force
mode always operates synchronously.

Revoke a single lease:

  $ coffer lease revoke database/creds/readonly/2f6a614c-4aa2-7b19-24b9-ad944a8d4de6

Revoke all leases for a role:

  $ coffer lease revoke -prefix aws/creds/deploy

Revoke all secrets for a secrets engine, ignoring errors while revoking (this is dangerous: the
credentials may still be valid in the outside system):

  $ coffer lease revoke -prefix -force database/`,
  flags: {
    force: {
      type: 'bool',
      usage:
        'Delete the lease from Coffer even if the secret engine revocation fails. This is meant for recovery situations where the secret in the target secret engine was manually removed. If this flag is specified, -prefix is also required.',
    },
    f: { type: 'bool', usage: 'Alias for -force.' },
    prefix: {
      type: 'bool',
      usage:
        'Treat the ID as a prefix instead of an exact lease ID. This can revoke multiple leases simultaneously.',
    },
    sync: {
      type: 'bool',
      usage:
        'Force a synchronous operation; on failure the error is returned to the caller instead of Coffer retrying in the background.',
    },
  },
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.args[0]!;
    const force = ctx.flags.force || ctx.flags.f;
    const { prefix, sync } = ctx.flags;
    if (force && !prefix) {
      ctx.err('Specifying -force requires also specifying -prefix');
      return EXIT_LOCAL;
    }
    const leases = (await ctx.client()).leases;
    if (force) {
      try {
        await leases.revokeForce(id);
      } catch (error) {
        return ctx.fail(`Error force revoking leases with prefix ${id}`, error);
      }
      ctx.out(`Success! Force revoked any leases with prefix: ${id}`);
      return 0;
    }
    try {
      if (prefix) await leases.revokePrefix(id, { sync: Boolean(sync) });
      else await leases.revoke(id, { sync: Boolean(sync) });
    } catch (error) {
      return ctx.fail(
        prefix ? `Error revoking leases with prefix ${id}` : `Error revoking lease ${id}`,
        error,
      );
    }
    if (!sync) ctx.out('All revocation operations queued successfully!');
    else if (prefix) ctx.out(`Success! Revoked any leases with prefix: ${id}`);
    else ctx.out(`Success! Revoked lease: ${id}`);
    return 0;
  },
});
