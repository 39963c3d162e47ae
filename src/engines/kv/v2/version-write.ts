import { type HandlerContext, InvalidFieldError, PreconditionFailedError } from '../../../sdk/index.ts';
import {
  type ConfigRecord,
  effectiveDeleteAfter,
  effectiveMaxVersions,
  metadataKey,
  newSecret,
  type SecretRecord,
  type StorageOps,
  versionKey,
} from './store.ts';
import { versionMetadata } from './view.ts';

/** `options.cas` of a data write or patch: undefined when absent. */
export function parseCas(options: Record<string, unknown> | undefined): number | undefined {
  const raw = options?.cas;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
  if (typeof raw === 'string' && /^\d+$/.test(raw.trim())) return Number(raw.trim());
  throw new InvalidFieldError('field "options.cas": expected a version number');
}

/** Check-and-set: `cas` must equal the current version (0 = no version yet) when given or required. */
export function checkCas(
  config: ConfigRecord,
  secret: Readonly<SecretRecord> | undefined,
  cas: number | undefined,
): void {
  if (cas === undefined) {
    if (config.casRequired || secret?.casRequired) {
      throw new PreconditionFailedError('check-and-set parameter required for this call');
    }
    return;
  }
  if (cas !== (secret?.current ?? 0)) {
    throw new PreconditionFailedError('check-and-set parameter did not match the current version');
  }
}

/**
 * Writes `data` as the secret's next version, atomically with its metadata, pruning the oldest
 * versions beyond max_versions. Call it under the secret's lock. `secret` is only read (it may be a
 * shared, frozen record); the new record is handed to the storage's parsed cache, so the next
 * read of the metadata skips its parse. Returns the write response data.
 */
export async function writeVersion(
  ctx: HandlerContext,
  path: string,
  secret: Readonly<SecretRecord> | undefined,
  config: ConfigRecord,
  data: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const now = ctx.system.now().getTime();
  // A copy of the record and of its version map: versions are added and removed, never edited,
  // so the version entries themselves can be shared with the caller's record.
  const next: SecretRecord = secret ? { ...secret, versions: { ...secret.versions } } : newSecret(now);
  const version = next.current + 1;
  next.current = version;
  next.updated = now;
  const deleteAfter = effectiveDeleteAfter(config, next);
  next.versions[version] =
    deleteAfter > 0 ? { created: now, deleted: now + deleteAfter * 1000 } : { created: now };

  const ops: StorageOps = [{ op: 'put', key: versionKey(path, version), value: json({ data }) }];
  const max = effectiveMaxVersions(config, next);
  if (Object.keys(next.versions).length > max) {
    const cutoff = version - max;
    for (const n of Object.keys(next.versions).map(Number)) {
      if (n > cutoff) continue;
      delete next.versions[n];
      ops.push({ op: 'delete', key: versionKey(path, n) });
    }
    next.oldest = cutoff + 1;
  }
  ops.push({ op: 'put', key: metadataKey(path), value: json(next), parsed: next });
  await ctx.storage.batch(ops);
  return versionMetadata(next, version, next.versions[version]!);
}

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
