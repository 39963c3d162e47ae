/** Where a `coffer kv …` argument points: its mount, KV version and API paths. */
import { type Coffer, joinPath } from '../client/index.ts';

export type KvPrefix = 'data' | 'metadata' | 'delete' | 'undelete' | 'destroy';

export interface KvTarget {
  /** Mount path with a trailing slash; "" when the server did not tell. */
  mount: string;
  /** The key inside the mount. */
  path: string;
  version: 1 | 2;
  /** The API path: `<mount><path>` on v1, `<mount><prefix>/<path>` on v2. */
  apiPath(prefix: KvPrefix): string;
}

/**
 * `kv get secret/app` or `kv get -mount=secret app`: asks the server which mount holds the
 * path and which KV version it runs (v1 when it cannot tell).
 */
export async function kvTarget(client: Coffer, arg: string, mountFlag?: string): Promise<KvTarget> {
  let mount: string;
  let path: string;
  let version: 1 | 2;
  if (mountFlag !== undefined && mountFlag !== '') {
    const found = await client.kvMount(mountFlag);
    mount = found.mount !== '' ? found.mount : `${mountFlag.replace(/\/+$/, '')}/`;
    path = arg.replace(/^\/+/, '');
    version = found.version;
  } else {
    ({ mount, path, version } = await client.kvMount(arg));
  }
  return {
    mount,
    path,
    version,
    apiPath: (prefix) => (version === 2 ? joinPath(mount, prefix, path) : joinPath(mount, path)),
  };
}

/** The shared `-mount` flag of the kv commands. */
export const mountFlag = {
  mount: {
    type: 'string',
    placeholder: '<string>',
    usage:
      'The mount path of the KV engine; the argument is then the key inside it ("-mount=secret app/db" is "secret/app/db").',
  },
} as const;
