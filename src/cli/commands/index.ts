/** Every CLI command, and the groups ("kv", "operator", …) their names form. */
import type { CommandDef } from '../command.ts';
import { deleteCommand } from './delete.ts';
import { kvDelete } from './kv-delete.ts';
import { kvDestroy } from './kv-destroy.ts';
import { kvGet } from './kv-get.ts';
import { kvList } from './kv-list.ts';
import { kvMetadataDelete } from './kv-metadata-delete.ts';
import { kvMetadataGet } from './kv-metadata-get.ts';
import { kvMetadataPut } from './kv-metadata-put.ts';
import { kvPatch } from './kv-patch.ts';
import { kvPut } from './kv-put.ts';
import { kvUndelete } from './kv-undelete.ts';
import { list } from './list.ts';
import { operatorInit } from './operator-init.ts';
import { operatorKeyStatus } from './operator-key-status.ts';
import { operatorRekey } from './operator-rekey.ts';
import { operatorRotate } from './operator-rotate.ts';
import { operatorSeal } from './operator-seal.ts';
import { operatorUnseal } from './operator-unseal.ts';
import { read } from './read.ts';
import { secretsDisable } from './secrets-disable.ts';
import { secretsEnable } from './secrets-enable.ts';
import { secretsList } from './secrets-list.ts';
import { secretsTune } from './secrets-tune.ts';
import { status } from './status.ts';
import { version } from './version.ts';
import { write } from './write.ts';

export const commands: readonly CommandDef[] = [
  read,
  write,
  deleteCommand,
  list,
  status,
  version,
  operatorInit,
  operatorUnseal,
  operatorSeal,
  operatorRotate,
  operatorKeyStatus,
  operatorRekey,
  kvPut,
  kvGet,
  kvPatch,
  kvList,
  kvDelete,
  kvUndelete,
  kvDestroy,
  kvMetadataGet,
  kvMetadataPut,
  kvMetadataDelete,
  secretsEnable,
  secretsDisable,
  secretsList,
  secretsTune,
];

export interface Group {
  synopsis: string;
  description: string;
}

export const groups: Readonly<Record<string, Group>> = {
  operator: {
    synopsis: 'Perform operator-specific tasks',
    description: `This command groups subcommands for operators interacting with Coffer. Most users
will not need to interact with these commands.

Initialize a new Coffer server:

  $ coffer operator init

Force the server to seal:

  $ coffer operator seal`,
  },
  kv: {
    synopsis: "Interact with Coffer's Key-Value storage",
    description: `This command has subcommands for interacting with Coffer's key-value store. Here
are some simple examples, and more detailed examples are available in the subcommands or the
documentation.

Create or update the key named "foo" in the "secret" mount with the value "bar=baz":

  $ coffer kv put -mount=secret foo bar=baz

Read this value back:

  $ coffer kv get -mount=secret foo

Get metadata for the key:

  $ coffer kv metadata get -mount=secret foo`,
  },
  'kv metadata': {
    synopsis: "Interact with Coffer's Key-Value storage metadata",
    description: `This command has subcommands for interacting with the metadata endpoint in
Coffer's key-value store (KV v2 only).

Create or update a metadata entry for a key:

  $ coffer kv metadata put -mount=secret -max-versions=5 foo

Get the metadata for a key:

  $ coffer kv metadata get -mount=secret foo`,
  },
  secrets: {
    synopsis: 'Interact with secrets engines',
    description: `This command groups subcommands for interacting with Coffer's secrets engines.

List all enabled secrets engines:

  $ coffer secrets list

Enable a new secrets engine:

  $ coffer secrets enable database`,
  },
};
