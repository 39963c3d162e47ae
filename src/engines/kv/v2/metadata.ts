import {
  definePath,
  f,
  type Handler,
  type HandlerContext,
  InvalidPathError,
  NotFoundError,
} from '../../../sdk/index.ts';
import { validateCustomMetadata } from './custom-metadata.ts';
import { secretPath } from './fields.ts';
import { withLock } from './lock.ts';
import { isObject, mergePatch, requireMergePatch } from './merge-patch.ts';
import {
  loadSecret,
  metadataKey,
  newSecret,
  type SecretRecord,
  type StorageOps,
  versionKey,
} from './store.ts';
import { json } from './version-write.ts';
import { secretMetadata } from './view.ts';

const fields = {
  path: secretPath('Location of the secret (a folder when listing; empty lists the mount root).'),
  max_versions: f.int({
    description:
      "The number of versions to keep. If not set (0), the backend's configured max version is used.",
    min: 0,
    in: 'body',
  }),
  cas_required: f.bool({
    description:
      "If true the key will require the cas parameter to be set on all write requests. If false, the backend's configuration will be used.",
    in: 'body',
  }),
  delete_version_after: f.duration({
    description:
      "The length of time before a version is deleted. If not set, the backend's configured " +
      'delete_version_after is used; the shorter of the two applies. "0s" clears the setting.',
    in: 'body',
  }),
  custom_metadata: f.map({
    description:
      'User-provided key-value pairs (string to string) that describe the secret, version-agnostic. ' +
      'At most 64 keys, keys of at most 128 bytes, values of at most 512.',
    in: 'body',
  }),
};

type F = typeof fields;

function requirePath(path: string | undefined): string {
  if (!path) throw new InvalidPathError('a secret path is required');
  return path;
}

const read: Handler<F> = async (ctx, { path }) => {
  const secret = path ? await loadSecret(ctx.storage, path) : undefined;
  if (!secret) throw new NotFoundError();
  return { data: secretMetadata(secret) };
};

/** Sets the given settings (absent ones keep their value); creates the metadata if needed. */
const write: Handler<F> = (ctx, values) => {
  const path = requirePath(values.path);
  const custom = values.custom_metadata && validateCustomMetadata(values.custom_metadata);
  return withLock(ctx.storage, path, async () => {
    const secret = (await loadSecret(ctx.storage, path)) ?? newSecret(ctx.system.now().getTime());
    if (values.max_versions !== undefined) secret.maxVersions = values.max_versions;
    if (values.cas_required !== undefined) secret.casRequired = values.cas_required;
    if (values.delete_version_after !== undefined) secret.deleteVersionAfter = values.delete_version_after;
    if (custom) setCustom(secret, custom);
    await ctx.storage.put(metadataKey(path), json(secret));
  });
};

/**
 * A JSON merge patch of the settings: `null` resets a setting to its default, custom_metadata
 * merges key by key (`null` removes a key).
 */
const patch: Handler<F> = (ctx, values) => {
  requireMergePatch(ctx.req);
  const path = requirePath(values.path);
  const raw = ctx.raw;
  return withLock(ctx.storage, path, async () => {
    const secret = await loadSecret(ctx.storage, path);
    if (!secret) throw new NotFoundError();
    const reset = (k: string) => k in raw && raw[k] === null;
    if (values.max_versions !== undefined) secret.maxVersions = values.max_versions;
    else if (reset('max_versions')) secret.maxVersions = 0;
    if (values.cas_required !== undefined) secret.casRequired = values.cas_required;
    else if (reset('cas_required')) secret.casRequired = false;
    if (values.delete_version_after !== undefined) secret.deleteVersionAfter = values.delete_version_after;
    else if (reset('delete_version_after')) secret.deleteVersionAfter = 0;
    if (values.custom_metadata !== undefined) {
      const merged = mergePatch(secret.customMetadata ?? {}, values.custom_metadata);
      setCustom(secret, validateCustomMetadata(isObject(merged) ? merged : {}));
    } else if (reset('custom_metadata')) {
      delete secret.customMetadata;
    }
    await ctx.storage.put(metadataKey(path), json(secret));
  });
};

function setCustom(secret: SecretRecord, custom: Record<string, string>): void {
  if (Object.keys(custom).length > 0) secret.customMetadata = custom;
  else delete secret.customMetadata;
}

/** Removes the metadata and every version of the secret, permanently. */
const remove: Handler<F> = (ctx, values) => {
  const path = requirePath(values.path);
  return withLock(ctx.storage, path, async () => {
    const secret = await loadSecret(ctx.storage, path);
    if (!secret) return;
    const ops: StorageOps = Object.keys(secret.versions).map((n) => ({
      op: 'delete',
      key: versionKey(path, Number(n)),
    }));
    ops.push({ op: 'delete', key: metadataKey(path) });
    await ctx.storage.batch(ops);
  });
};

/** One level of the secret tree: secrets as names, folders as `name/`. */
export async function listSecrets(ctx: HandlerContext, folder: string | undefined) {
  const keys = await ctx.storage.list(metadataKey(folder ? `${folder}/` : ''));
  if (keys.length === 0) throw new NotFoundError();
  return { data: { keys } };
}

export const metadataPath = definePath({
  pattern: 'metadata/:path*',
  fields,
  exists: async (ctx, { path }) => !!path && (await loadSecret(ctx.storage, path)) !== undefined,
  operations: {
    read,
    create: write,
    update: write,
    patch,
    delete: remove,
    list: (ctx, { path }) => listSecrets(ctx, path),
  },
  help: {
    synopsis: 'Configure, read, list and delete the metadata of versioned secrets.',
    description:
      'GET reads a secret’s settings and the metadata of each version. POST/PUT sets max_versions, ' +
      'cas_required, delete_version_after and custom_metadata; PATCH merges them. DELETE removes the ' +
      'secret with all its versions, permanently. LIST shows the secrets and folders below a folder.',
  },
  responses: {
    read: {
      cas_required: 'Whether writes must use check-and-set',
      created_time: 'When the secret was created',
      current_version: 'The latest version number',
      custom_metadata: 'User-provided key-value pairs',
      delete_version_after: 'How long a version lives',
      max_versions: 'How many versions are kept (0 = mount setting)',
      oldest_version: 'The oldest version kept',
      updated_time: 'When the latest version was written',
      versions: 'Per version: created_time, deletion_time, destroyed',
    },
    list: { keys: 'Secrets, and folders ending in "/"' },
  },
});
