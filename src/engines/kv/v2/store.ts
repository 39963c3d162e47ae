import type { StorageOp, StorageView } from '../../../sdk/index.ts';

/**
 * The KV v2 storage model (keys are paths, never values):
 *
 * - `config`                  → ConfigRecord
 * - `metadata/<path>`         → SecretRecord: settings and per-version metadata of one secret
 * - `versions/<path>/<n>`     → VersionData: the data of version n
 *
 * `metadata/` mirrors the secret tree, so listing it one level is listing secrets. Times are epoch
 * milliseconds; durations are seconds.
 */
export const DEFAULT_MAX_VERSIONS = 10;

export interface ConfigRecord {
  maxVersions: number;
  casRequired: boolean;
  /** Seconds; 0 = none, negative = disabled for every secret. */
  deleteVersionAfter: number;
}

export interface VersionRecord {
  created: number;
  /** When the version is (or will be) soft-deleted. */
  deleted?: number;
  destroyed?: boolean;
}

export interface SecretRecord {
  created: number;
  updated: number;
  current: number;
  oldest: number;
  /** 0 = the mount's setting. */
  maxVersions: number;
  casRequired: boolean;
  /** Seconds; 0 = the mount's setting. */
  deleteVersionAfter: number;
  customMetadata?: Record<string, string>;
  /** Keyed by version number. */
  versions: Record<string, VersionRecord>;
}

export interface VersionData {
  data: Record<string, unknown>;
}

export type StorageOps = StorageOp[];

export const CONFIG_KEY = 'config';
export const metadataKey = (path: string): string => `metadata/${path}`;
export const versionKey = (path: string, version: number): string => `versions/${path}/${version}`;

export async function loadConfig(storage: StorageView): Promise<ConfigRecord> {
  const stored = await storage.getJSONShared<Partial<ConfigRecord>>(CONFIG_KEY);
  return {
    maxVersions: stored?.maxVersions ?? 0,
    casRequired: stored?.casRequired ?? false,
    deleteVersionAfter: stored?.deleteVersionAfter ?? 0,
  };
}

export function loadSecret(storage: StorageView, path: string): Promise<SecretRecord | undefined> {
  return storage.getJSON<SecretRecord>(metadataKey(path));
}

/**
 * The metadata record, shared and frozen (see StorageView.getJSONShared): for reads that only look
 * at it. A handler that changes the record loads its own copy with loadSecret.
 */
export function loadSecretShared(
  storage: StorageView,
  path: string,
): Promise<Readonly<SecretRecord> | undefined> {
  return storage.getJSONShared<SecretRecord>(metadataKey(path));
}

/** A version's data, shared and frozen: for reads that hand it out unchanged. */
export async function loadVersionDataShared(
  storage: StorageView,
  path: string,
  version: number,
): Promise<Readonly<Record<string, unknown>> | undefined> {
  return (await storage.getJSONShared<VersionData>(versionKey(path, version)))?.data;
}

export async function loadVersionData(
  storage: StorageView,
  path: string,
  version: number,
): Promise<Record<string, unknown> | undefined> {
  return (await storage.getJSON<VersionData>(versionKey(path, version)))?.data;
}

export function newSecret(now: number): SecretRecord {
  return {
    created: now,
    updated: now,
    current: 0,
    oldest: 0,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfter: 0,
    versions: {},
  };
}

/** Soft-deleted (its deletion time has come) — destroyed versions are reported separately. */
export function isDeleted(v: VersionRecord, now: number): boolean {
  return v.deleted !== undefined && v.deleted <= now;
}

export function isReadable(v: VersionRecord, now: number): boolean {
  return !v.destroyed && !isDeleted(v, now);
}

/** The secret's setting, else the mount's, else 10. */
export function effectiveMaxVersions(config: ConfigRecord, secret: SecretRecord): number {
  if (secret.maxVersions > 0) return secret.maxVersions;
  if (config.maxVersions > 0) return config.maxVersions;
  return DEFAULT_MAX_VERSIONS;
}

/**
 * Seconds after creation at which a new version is deleted, 0 for never: a negative mount setting
 * disables it everywhere; otherwise the shorter of the secret's and the mount's settings.
 */
export function effectiveDeleteAfter(config: ConfigRecord, secret: SecretRecord): number {
  const mount = config.deleteVersionAfter;
  const own = secret.deleteVersionAfter;
  if (mount < 0) return 0;
  if (own > 0 && (mount === 0 || own < mount)) return own;
  return mount;
}
