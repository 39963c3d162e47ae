import type { KeyStatus } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { columns, rfc822 } from '../output.ts';

/** "Key Term / Install Time / Encryption Count" lines, as key-status and rotate print them. */
export function keyStatusText(s: KeyStatus): string {
  const rows = [
    ['Key Term', String(s.term)],
    ['Install Time', rfc822(s.install_time)],
  ];
  if (s.encryptions !== undefined) rows.push(['Encryption Count', String(s.encryptions)]);
  return columns(rows);
}

export const operatorKeyStatus = defineCommand({
  name: 'operator key-status',
  synopsis: 'Provides information about the active encryption key',
  usage: 'coffer operator key-status [options]',
  description: `Provides information about the active encryption key: its term and the time it was
installed.

  $ coffer operator key-status`,
  flags: {},
  args: { max: 0 },
  async run(ctx) {
    let s: KeyStatus;
    try {
      s = await (await ctx.client()).sys.keyStatus();
    } catch (error) {
      return ctx.fail('Error reading key status', error);
    }
    if (ctx.format === 'json') ctx.json(s);
    else ctx.out(keyStatusText(s));
    return 0;
  },
});
