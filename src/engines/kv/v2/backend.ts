import { defineBackend } from '../../../sdk/index.ts';
import { configPath } from './config.ts';
import { dataPath } from './data.ts';
import { invalidPath } from './invalid-path.ts';
import { metadataPath } from './metadata.ts';
import { subkeysPath } from './subkeys.ts';
import { deletePath, destroyPath, undeletePath } from './versions.ts';

/** KV version 2: versioned secrets with check-and-set, metadata, soft delete and destroy. */
export const kvV2Backend = defineBackend({
  type: 'kv',
  description: 'Versioned key/value secret storage (KV version 2).',
  paths: [
    configPath,
    dataPath,
    metadataPath,
    deletePath,
    undeletePath,
    destroyPath,
    subkeysPath,
    invalidPath,
  ],
  help:
    'The KV secrets engine, version 2, keeps several versions of each secret. Write and read them at ' +
    'data/<path>, manage their settings at metadata/<path>, soft-delete, restore or destroy versions at ' +
    'delete/, undelete/ and destroy/, read their structure at subkeys/, and set defaults at config.',
});
