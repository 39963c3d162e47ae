import type { IrrevocableLeases } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { table } from '../output.ts';

export const leaseIrrevocable = defineCommand({
  name: 'lease irrevocable',
  synopsis: 'List the leases Coffer could not revoke',
  usage: 'coffer lease irrevocable [options]',
  description: `Lists the leases whose revocation failed for good (sys/leases?type=irrevocable),
with the last error of each. Coffer keeps them rather than dropping them: fix the outside
system and revoke again, or remove them with "coffer lease revoke -prefix -force".

  $ coffer lease irrevocable`,
  flags: {},
  args: { max: 0 },
  async run(ctx) {
    let result: IrrevocableLeases;
    try {
      result = await (await ctx.client()).leases.irrevocable();
    } catch (error) {
      return ctx.fail('Error listing irrevocable leases', error);
    }
    if (ctx.format === 'json') {
      ctx.json(result);
      return 0;
    }
    if (result.leases.length === 0) {
      ctx.err('No irrevocable leases');
      return 0;
    }
    const text = (v: unknown) => (v === undefined || v === null || v === '' ? 'n/a' : String(v));
    ctx.out(
      table(
        ['lease_id', 'mount_id', 'expire_time', 'error'],
        result.leases.map((l) => [l.lease_id, text(l.mount_id), text(l.expire_time), text(l.error)]),
      ),
    );
    return 0;
  },
});
