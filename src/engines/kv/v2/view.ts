import { formatDuration } from '../../../sdk/index.ts';
import type { SecretRecord, VersionRecord } from './store.ts';

/** RFC 3339 with nine fraction digits, as Vault prints (our clock has milliseconds). */
export function formatTime(ms: number): string {
  let text = recentTimes.get(ms);
  if (text === undefined) {
    text = `${new Date(ms).toISOString().slice(0, -1)}000000Z`;
    // Reads of the same versions repeat the same times: remember the last few hundred.
    if (recentTimes.size >= 512) recentTimes.clear();
    recentTimes.set(ms, text);
  }
  return text;
}
const recentTimes = new Map<number, string>();

/** A version's metadata as the data, subkeys and write responses show it (keys sorted, as Go). */
export function versionMetadata(secret: SecretRecord, version: number, v: VersionRecord) {
  return {
    created_time: formatTime(v.created),
    custom_metadata: customMetadataView(secret),
    deletion_time: v.deleted === undefined ? '' : formatTime(v.deleted),
    destroyed: v.destroyed === true,
    version,
  };
}

/** Vault answers `null` when a secret has no custom metadata. */
export function customMetadataView(secret: SecretRecord): Record<string, string> | null {
  const cm = secret.customMetadata;
  return cm && Object.keys(cm).length > 0 ? { ...cm } : null;
}

/** The `metadata/:path` read response. */
export function secretMetadata(secret: SecretRecord): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const n of versionNumbers(secret)) {
    const v = secret.versions[n]!;
    versions[n] = {
      created_time: formatTime(v.created),
      deletion_time: v.deleted === undefined ? '' : formatTime(v.deleted),
      destroyed: v.destroyed === true,
    };
  }
  return {
    cas_required: secret.casRequired,
    created_time: formatTime(secret.created),
    current_version: secret.current,
    custom_metadata: customMetadataView(secret),
    delete_version_after: formatDuration(secret.deleteVersionAfter),
    max_versions: secret.maxVersions,
    oldest_version: secret.oldest,
    updated_time: formatTime(secret.updated),
    versions,
  };
}

export function versionNumbers(secret: SecretRecord): number[] {
  return Object.keys(secret.versions)
    .map(Number)
    .sort((a, b) => a - b);
}
