import type { Secret } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { printSecret } from '../secret-output.ts';

export const leaseRenew = defineCommand({
  name: 'lease renew',
  synopsis: 'Renew the lease of a secret',
  usage: 'coffer lease renew [options] ID',
  description: `Renews the lease on a secret, extending the time that it can be used before it is
revoked by Coffer.

Every secret in Coffer has a lease associated with it. If the owner of the secret wants to use
it longer than the lease, then it must be renewed. Renewing the lease does not change the
contents of the secret. The ID is the full path lease ID.

Renew a secret:

  $ coffer lease renew database/creds/readonly/2f6a614c-4aa2-7b19-24b9-ad944a8d4de6

Lease renewal will fail if the secret is not renewable, the secret has already been revoked, or
if the secret has already reached its maximum TTL.`,
  flags: {
    increment: {
      type: 'string',
      placeholder: '<duration>',
      usage:
        'Request a specific increment in seconds. Coffer is not required to honor this request. If not supplied, Coffer will use the default TTL.',
    },
  },
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.args[0]!;
    let secret: Secret<null>;
    try {
      secret = await (await ctx.client()).leases.renew(id, ctx.flags.increment);
    } catch (error) {
      return ctx.fail(`Error renewing ${id}`, error);
    }
    printSecret(ctx, secret);
    return 0;
  },
});
