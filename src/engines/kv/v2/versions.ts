import { definePath, type HandlerContext, InvalidFieldError } from '../../../sdk/index.ts';
import { secretPath, versionList } from './fields.ts';
import { withLock } from './lock.ts';
import {
  isDeleted,
  loadSecret,
  metadataKey,
  type StorageOps,
  type VersionRecord,
  versionKey,
} from './store.ts';
import { json } from './version-write.ts';

/** What each endpoint does to one version; returns whether the version changed. */
type Action = (v: VersionRecord, now: number) => boolean;

const softDelete: Action = (v, now) => {
  if (v.destroyed || isDeleted(v, now)) return false;
  v.deleted = now;
  return true;
};
const undelete: Action = (v) => {
  if (v.destroyed || v.deleted === undefined) return false;
  delete v.deleted;
  return true;
};
const destroy: Action = (v) => {
  if (v.destroyed) return false;
  v.destroyed = true;
  return true;
};

/** Applies `action` to the listed versions; unknown versions are skipped, as Vault does. */
async function apply(ctx: HandlerContext, path: string, versions: number[], action: Action, wipe: boolean) {
  if (versions.length === 0) throw new InvalidFieldError('no version number provided');
  await withLock(ctx.storage, path, async () => {
    const secret = await loadSecret(ctx.storage, path);
    if (!secret) return;
    const now = ctx.system.now().getTime();
    const ops: StorageOps = [];
    for (const n of new Set(versions)) {
      const v = secret.versions[n];
      if (!v || !action(v, now)) continue;
      if (wipe) ops.push({ op: 'delete', key: versionKey(path, n) });
    }
    ops.push({ op: 'put', key: metadataKey(path), value: json(secret) });
    await ctx.storage.batch(ops);
  });
}

function versionsPath(
  prefix: string,
  action: Action,
  wipe: boolean,
  verb: string,
  help: { synopsis: string; description: string },
) {
  return definePath({
    pattern: `${prefix}/:path+`,
    fields: {
      path: secretPath(),
      versions: versionList({ description: `The versions to ${verb}.`, required: true }),
    },
    operations: {
      update: (ctx, { path, versions }) => apply(ctx, path!, versions ?? [], action, wipe),
    },
    help,
  });
}

export const deletePath = versionsPath(
  'delete',
  softDelete,
  false,
  'soft-delete. Their data is kept but no longer returned by reads',
  {
    synopsis: 'Soft-delete versions of a secret.',
    description: 'Marks the given versions as deleted: reads answer 404 until undelete/ restores them.',
  },
);

export const undeletePath = versionsPath(
  'undelete',
  undelete,
  false,
  'restore. Their data is returned by reads again',
  {
    synopsis: 'Restore soft-deleted versions of a secret.',
    description: 'Clears the deletion time of the given versions, unless they were destroyed.',
  },
);

export const destroyPath = versionsPath(
  'destroy',
  destroy,
  true,
  'destroy. Their data is permanently deleted',
  {
    synopsis: 'Permanently remove the data of versions of a secret.',
    description:
      'Deletes the data of the given versions for good; their metadata stays with destroyed: true.',
  },
);
