import { defineCommand } from '../command.ts';

export const operatorSeal = defineCommand({
  name: 'operator seal',
  synopsis: 'Seals the server',
  usage: 'coffer operator seal [options]',
  description: `Seals the Coffer server. Sealing tells the server to stop responding to any
operations until it is unsealed. When sealed, the server discards its in-memory root key to
unlock the data, so it is physically blocked from responding to operations until unsealed.

If an unseal is in progress, sealing cancels it.

This command requires a token with sudo on sys/seal.

  $ coffer operator seal`,
  flags: {},
  args: { max: 0 },
  async run(ctx) {
    try {
      await (await ctx.client()).sys.seal();
    } catch (error) {
      return ctx.fail('Error sealing', error);
    }
    ctx.out('Success! Coffer is sealed.');
    return 0;
  },
});
