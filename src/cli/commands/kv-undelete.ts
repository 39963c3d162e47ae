import { defineCommand } from '../command.ts';
import { runVersionsCommand, versionsFlags } from '../kv-versions.ts';

export const kvUndelete = defineCommand({
  name: 'kv undelete',
  synopsis: 'Undeletes versions in the KV store',
  usage: 'coffer kv undelete [options] KEY',
  description: `Undeletes the data for the provided version and path in the key-value store. This
restores the data, allowing it to be returned on get requests.

To undelete version 3 of key "foo":

  $ coffer kv undelete -mount=secret -versions=3 foo`,
  flags: versionsFlags('undelete'),
  args: { min: 1, max: 1 },
  interspersed: true,
  run: (ctx) => runVersionsCommand(ctx, 'undelete'),
});
