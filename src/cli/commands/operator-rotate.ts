import type { KeyStatus } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { keyStatusText } from './operator-key-status.ts';

export const operatorRotate = defineCommand({
  name: 'operator rotate',
  synopsis: 'Rotates the underlying encryption key',
  usage: 'coffer operator rotate [options]',
  description: `Rotates the underlying encryption key which is used to secure data written to the
storage backend. This installs a new key in the keyring. The new key is used to encrypt new
data, while older keys in the ring are used to decrypt older data.

This is an online operation and does not cause downtime. This command requires a token with
sudo on sys/rotate.

  $ coffer operator rotate`,
  flags: {},
  args: { max: 0 },
  async run(ctx) {
    const client = await ctx.client();
    try {
      await client.sys.rotate();
    } catch (error) {
      return ctx.fail('Error rotating key', error);
    }
    let s: KeyStatus;
    try {
      s = await client.sys.keyStatus();
    } catch (error) {
      return ctx.fail('Error reading key status', error);
    }
    if (ctx.format === 'json') {
      ctx.json(s);
      return 0;
    }
    ctx.out(`Success! Rotated key\n\n${keyStatusText(s)}`);
    return 0;
  },
});
