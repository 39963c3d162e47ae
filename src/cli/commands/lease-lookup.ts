import type { LeaseLookup } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { humanDuration, keyValueTable } from '../output.ts';

export const leaseLookup = defineCommand({
  name: 'lease lookup',
  synopsis: 'Lookup the lease of a secret',
  usage: 'coffer lease lookup [options] ID',
  description: `Lookup the lease information of a secret.

Every secret in Coffer has a lease associated with it. Users can look up
information on the lease by referencing the lease ID.

Lookup the lease of a secret:

  $ coffer lease lookup database/creds/readonly/2f6a614c-4aa2-7b19-24b9-ad944a8d4de6`,
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.args[0]!;
    let lease: LeaseLookup;
    try {
      lease = await (await ctx.client()).leases.lookup(id);
    } catch (error) {
      return ctx.fail(`error looking up lease id ${id}`, error);
    }
    if (ctx.format === 'json') {
      ctx.json(lease);
      return 0;
    }
    const rows = Object.keys(lease)
      .sort()
      .map((k): [string, unknown] => [
        k,
        k === 'ttl' && typeof lease.ttl === 'number' ? humanDuration(lease.ttl) : lease[k],
      ]);
    ctx.out(keyValueTable(rows));
    return 0;
  },
});
