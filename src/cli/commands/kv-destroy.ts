import { defineCommand } from '../command.ts';
import { runVersionsCommand, versionsFlags } from '../kv-versions.ts';

export const kvDestroy = defineCommand({
  name: 'kv destroy',
  synopsis: 'Permanently removes one or more versions in the KV store',
  usage: 'coffer kv destroy [options] KEY',
  description: `Permanently removes the specified versions' data from the key-value store. If no
key exists at the path, no action is taken.

To destroy version 11 of key "foo":

  $ coffer kv destroy -mount=secret -versions=11 foo`,
  flags: versionsFlags('destroy'),
  args: { min: 1, max: 1 },
  interspersed: true,
  run: (ctx) => runVersionsCommand(ctx, 'destroy'),
});
