/** Every CLI command, and the groups ("kv", "operator", …) their names form. */
import type { CommandDef } from '../command.ts';
import { auditDisable } from './audit-disable.ts';
import { auditEnable } from './audit-enable.ts';
import { auditList } from './audit-list.ts';
import { authDisable } from './auth-disable.ts';
import { authEnable } from './auth-enable.ts';
import { authList } from './auth-list.ts';
import { authTune } from './auth-tune.ts';
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
import { leaseIrrevocable } from './lease-irrevocable.ts';
import { leaseList } from './lease-list.ts';
import { leaseLookup } from './lease-lookup.ts';
import { leaseRenew } from './lease-renew.ts';
import { leaseRevoke } from './lease-revoke.ts';
import { list } from './list.ts';
import { login } from './login.ts';
import { operatorInit } from './operator-init.ts';
import { operatorKeyStatus } from './operator-key-status.ts';
import { operatorRekey } from './operator-rekey.ts';
import { operatorRotate } from './operator-rotate.ts';
import { operatorSeal } from './operator-seal.ts';
import { operatorUnseal } from './operator-unseal.ts';
import { policyDelete } from './policy-delete.ts';
import { policyFmt } from './policy-fmt.ts';
import { policyList } from './policy-list.ts';
import { policyRead } from './policy-read.ts';
import { policyWrite } from './policy-write.ts';
import { read } from './read.ts';
import { secretsDisable } from './secrets-disable.ts';
import { secretsEnable } from './secrets-enable.ts';
import { secretsList } from './secrets-list.ts';
import { secretsTune } from './secrets-tune.ts';
import { status } from './status.ts';
import { tokenCapabilities } from './token-capabilities.ts';
import { tokenCreate } from './token-create.ts';
import { tokenLookup } from './token-lookup.ts';
import { tokenRenew } from './token-renew.ts';
import { tokenRevoke } from './token-revoke.ts';
import { unwrap } from './unwrap.ts';
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
  login,
  tokenCreate,
  tokenLookup,
  tokenRenew,
  tokenRevoke,
  tokenCapabilities,
  policyWrite,
  policyRead,
  policyList,
  policyDelete,
  policyFmt,
  authEnable,
  authDisable,
  authList,
  authTune,
  auditEnable,
  auditDisable,
  auditList,
  unwrap,
  leaseLookup,
  leaseRenew,
  leaseRevoke,
  leaseList,
  leaseIrrevocable,
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
  token: {
    synopsis: 'Interact with tokens',
    description: `This command groups subcommands for interacting with tokens. Users can create,
lookup, renew, and revoke tokens.

Create a new token:

  $ coffer token create

Revoke a token:

  $ coffer token revoke 96ddf4bc-d217-f3ba-f9bd-017055595017

Renew a token:

  $ coffer token renew 96ddf4bc-d217-f3ba-f9bd-017055595017`,
  },
  lease: {
    synopsis: 'Interact with leases',
    description: `This command groups subcommands for interacting with leases. Users can look up,
renew and revoke leases.

Renew a lease:

  $ coffer lease renew database/creds/readonly/2f6a614c-4aa2-7b19-24b9-ad944a8d4de6

Revoke a lease:

  $ coffer lease revoke database/creds/readonly/2f6a614c-4aa2-7b19-24b9-ad944a8d4de6`,
  },
  policy: {
    synopsis: 'Interact with policies',
    description: `This command groups subcommands for interacting with policies. Users can write,
read, and list policies in Coffer.

List all enabled policies:

  $ coffer policy list

Create a policy named "my-policy" from contents on local disk:

  $ coffer policy write my-policy ./my-policy.hcl

Delete the policy named my-policy:

  $ coffer policy delete my-policy`,
  },
  auth: {
    synopsis: 'Interact with auth methods',
    description: `This command groups subcommands for interacting with Coffer's auth methods. Users can
list, enable, disable, and tune auth methods.

To authenticate to Coffer as a user or machine, use the "coffer login" command instead.

List all enabled auth methods:

  $ coffer auth list

Enable a new auth method "userpass":

  $ coffer auth enable userpass`,
  },
  audit: {
    synopsis: 'Interact with audit devices',
    description: `This command groups subcommands for interacting with Coffer's audit devices. Users
can list, enable, and disable audit devices.

List all enabled audit devices:

  $ coffer audit list

Enable a new audit device "file":

  $ coffer audit enable file file_path=/var/log/coffer/audit.log`,
  },
};
