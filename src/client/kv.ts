/** KV version 2 calls: `<mount>/data/`, `metadata/`, `delete/`, `undelete/`, `destroy/`. */
import type { Coffer } from './coffer.ts';
import { joinPath } from './paths.ts';
import type { KvMetadata, KvMetadataInput, KvSecretData, KvVersionMetadata, Secret } from './types.ts';

type Logical = Pick<Coffer, 'request' | 'read' | 'write' | 'list' | 'delete'>;

export const MERGE_PATCH = 'application/merge-patch+json';

/** The API path of a KV v2 operation: ("secret", "data", "a/b") → "secret/data/a/b". */
export function kvV2Path(mount: string, prefix: string, path: string): string {
  return joinPath(mount, prefix, path);
}

export function kvGet<T = Record<string, unknown>>(
  c: Logical,
  mount: string,
  path: string,
  options: { version?: number | undefined } = {},
): Promise<Secret<KvSecretData<T>> | null> {
  const query =
    options.version !== undefined && options.version > 0 ? { version: options.version } : undefined;
  return c.read<KvSecretData<T>>(kvV2Path(mount, 'data', path), { query });
}

export function kvPut(
  c: Logical,
  mount: string,
  path: string,
  data: Record<string, unknown>,
  options: { cas?: number | undefined } = {},
): Promise<Secret<KvVersionMetadata> | null> {
  return c.write<KvVersionMetadata>(kvV2Path(mount, 'data', path), withCas(data, options.cas));
}

/** JSON merge patch (RFC 7396) of the latest version: null values delete keys. */
export async function kvPatch(
  c: Logical,
  mount: string,
  path: string,
  data: Record<string, unknown>,
  options: { cas?: number | undefined } = {},
): Promise<Secret<KvVersionMetadata> | null> {
  const res = await c.request<Secret<KvVersionMetadata> | null>('PATCH', kvV2Path(mount, 'data', path), {
    body: withCas(data, options.cas),
    headers: { 'Content-Type': MERGE_PATCH },
  });
  return res.body !== null && typeof res.body === 'object' ? res.body : null;
}

/** The keys under a folder; [] when there is nothing. The listed path always ends in "/". */
export async function kvList(c: Logical, mount: string, path: string): Promise<string[]> {
  const folder = kvV2Path(mount, 'metadata', path);
  const secret = await c.list(folder.endsWith('/') ? folder : `${folder}/`);
  return secret?.data?.keys ?? [];
}

/** Soft-deletes the latest version, or the given versions. */
export async function kvDelete(
  c: Logical,
  mount: string,
  path: string,
  options: { versions?: readonly number[] | undefined } = {},
): Promise<void> {
  if (options.versions !== undefined && options.versions.length > 0) {
    await c.write(kvV2Path(mount, 'delete', path), { versions: options.versions });
  } else {
    await c.delete(kvV2Path(mount, 'data', path));
  }
}

export async function kvUndelete(
  c: Logical,
  mount: string,
  path: string,
  versions: readonly number[],
): Promise<void> {
  await c.write(kvV2Path(mount, 'undelete', path), { versions });
}

export async function kvDestroy(
  c: Logical,
  mount: string,
  path: string,
  versions: readonly number[],
): Promise<void> {
  await c.write(kvV2Path(mount, 'destroy', path), { versions });
}

export function kvMetadataGet(c: Logical, mount: string, path: string): Promise<Secret<KvMetadata> | null> {
  return c.read<KvMetadata>(kvV2Path(mount, 'metadata', path));
}

export async function kvMetadataPut(
  c: Logical,
  mount: string,
  path: string,
  input: KvMetadataInput,
): Promise<void> {
  await c.write(kvV2Path(mount, 'metadata', path), { ...input });
}

export async function kvMetadataDelete(c: Logical, mount: string, path: string): Promise<void> {
  await c.delete(kvV2Path(mount, 'metadata', path));
}

function withCas(data: Record<string, unknown>, cas: number | undefined): Record<string, unknown> {
  return cas === undefined ? { data } : { data, options: { cas } };
}
