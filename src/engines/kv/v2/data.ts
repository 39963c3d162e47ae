import {
  definePath,
  f,
  type Handler,
  type HandlerContext,
  InvalidFieldError,
  NotFoundError,
  type Response,
} from '../../../sdk/index.ts';
import { isShared, shareFrozen } from '../../../sdk/shared-value.ts';
import { secretPath } from './fields.ts';
import { withLock } from './lock.ts';
import { isObject, mergePatch, requireMergePatch } from './merge-patch.ts';
import {
  isDeleted,
  isReadable,
  loadConfig,
  loadSecret,
  loadSecretShared,
  loadVersionData,
  loadVersionDataShared,
  metadataKey,
  type SecretRecord,
  type VersionRecord,
} from './store.ts';
import { checkCas, json, parseCas, writeVersion } from './version-write.ts';
import { versionMetadata } from './view.ts';

const fields = {
  path: secretPath(),
  data: f.map({
    description: 'The contents of the data map will be stored and returned on read.',
    sensitive: true,
    in: 'body',
  }),
  options: f.map({
    description:
      'Options for writing a KV entry. Set "cas" to use check-and-set: 0 writes only if the key does not ' +
      'exist, N only if the current version is N.',
    in: 'body',
  }),
  version: f.int({
    description: 'If provided during a read, the value at the version number will be returned (0 = latest).',
    min: 0,
    in: 'query',
  }),
};

type F = typeof fields;

/**
 * Resolves the version a read asks for. A soft-deleted or destroyed version answers 404 with its
 * metadata (and `null` where the data would be), as Vault does; an unknown one a bare 404.
 */
export async function readVersion(
  ctx: HandlerContext,
  path: string,
  requested: number | undefined,
): Promise<
  | { kind: 'ok'; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { kind: 'gone'; metadata: Record<string, unknown> }
> {
  const secret = await loadSecretShared(ctx.storage, path);
  if (!secret) throw new NotFoundError();
  const n = requested && requested > 0 ? requested : secret.current;
  const v = secret.versions[n];
  if (!v) throw new NotFoundError();
  const metadata = sharedVersionMetadata(secret, n, v);
  if (!isReadable(v, ctx.system.now().getTime())) return { kind: 'gone', metadata };
  const data = await loadVersionDataShared(ctx.storage, path, n);
  if (!data) throw new NotFoundError();
  return { kind: 'ok', data, metadata };
}

/** Per shared (frozen) metadata record: the metadata block of each version read, made once. */
const metadataBlocks = new WeakMap<object, Map<number, Record<string, unknown>>>();

/**
 * versionMetadata, shared as well when the record is: the same secret read again and again answers
 * the same frozen block, so its JSON and its audit HMACs are computed once (see sdk/shared-value.ts).
 */
function sharedVersionMetadata(
  secret: Readonly<SecretRecord>,
  n: number,
  v: VersionRecord,
): Record<string, unknown> {
  if (!isShared(secret)) return versionMetadata(secret, n, v);
  let blocks = metadataBlocks.get(secret);
  if (blocks === undefined) {
    blocks = new Map();
    metadataBlocks.set(secret, blocks);
  }
  let block = blocks.get(n);
  if (block === undefined) {
    block = shareFrozen(versionMetadata(secret, n, v));
    blocks.set(n, block);
  }
  return block;
}

const read: Handler<F> = async (ctx, { path, version }): Promise<Response> => {
  const found = await readVersion(ctx, path!, version);
  if (found.kind === 'gone') return { status: 404, data: { data: null, metadata: found.metadata } };
  return { data: { data: found.data, metadata: found.metadata } };
};

const write: Handler<F> = (ctx, { path, data, options }) => {
  if (!data) throw new InvalidFieldError('no data provided');
  return withLock(ctx.storage, path!, async () => {
    // writeVersion copies what it changes: the shared record (often the one the existence check
    // just read) spares a parse.
    const [config, secret] = await Promise.all([
      loadConfig(ctx.storage),
      loadSecretShared(ctx.storage, path!),
    ]);
    checkCas(config, secret, parseCas(options));
    return { data: await writeVersion(ctx, path!, secret, config, data) };
  });
};

/** A JSON merge patch of the latest version into a new one; the latest must be readable. */
const patch: Handler<F> = (ctx, { path, data, options }) => {
  requireMergePatch(ctx.req);
  if (!data) throw new InvalidFieldError('no data provided');
  return withLock(ctx.storage, path!, async () => {
    const [config, secret] = await Promise.all([
      loadConfig(ctx.storage),
      loadSecretShared(ctx.storage, path!),
    ]);
    const latest = secret?.versions[secret.current];
    if (!secret || !latest || !isReadable(latest, ctx.system.now().getTime())) throw new NotFoundError();
    checkCas(config, secret, parseCas(options));
    const current = await loadVersionData(ctx.storage, path!, secret.current);
    if (!current) throw new NotFoundError();
    const merged = mergePatch(current, data);
    return { data: await writeVersion(ctx, path!, secret, config, isObject(merged) ? merged : {}) };
  });
};

/** Soft-deletes the latest version (undelete/ brings it back). */
const softDeleteLatest: Handler<F> = (ctx, { path }) =>
  withLock(ctx.storage, path!, async () => {
    const secret = await loadSecret(ctx.storage, path!);
    const latest = secret?.versions[secret.current];
    const now = ctx.system.now().getTime();
    if (!secret || !latest || latest.destroyed || isDeleted(latest, now)) return;
    latest.deleted = now;
    await ctx.storage.put(metadataKey(path!), json(secret));
  });

export const dataPath = definePath({
  pattern: 'data/:path+',
  fields,
  exists: async (ctx, { path }) => (await loadSecretShared(ctx.storage, path!)) !== undefined,
  operations: { read, create: write, update: write, patch, delete: softDeleteLatest },
  help: {
    synopsis: 'Write, patch, read and delete versioned secrets.',
    description:
      'GET reads the latest version, or ?version=N. POST/PUT writes a new version from "data"; ' +
      '"options.cas" makes it a check-and-set. PATCH (Content-Type application/merge-patch+json) merges ' +
      '"data" into the latest version as a new version. DELETE soft-deletes the latest version.',
  },
  responses: {
    read: { data: 'The secret data', metadata: 'The version metadata' },
    update: {
      created_time: 'When the version was written',
      custom_metadata: 'The secret custom metadata',
      deletion_time: 'When the version is deleted, or ""',
      destroyed: 'Always false for a new version',
      version: 'The new version number',
    },
  },
});
