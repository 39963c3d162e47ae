import { type BackendFactory, BadRequestError, createBackend } from '../../sdk/index.ts';
import { kvV1Backend } from './v1.ts';
import { kvV2Backend } from './v2/backend.ts';

export { kvV1Backend } from './v1.ts';
export { kvV2Backend } from './v2/backend.ts';

/**
 * Builds a `kv` mount: version 1 unless the mount's `options.version` is "2" (as Vault; the
 * `kv-v2` type is `kv` with version 2).
 */
export const kvFactory: BackendFactory = (env) => {
  const version = env.mount.options.version ?? '1';
  if (version === '1' || version === '') return createBackend(kvV1Backend, env);
  if (version === '2') return createBackend(kvV2Backend, env);
  throw new BadRequestError(`unsupported kv version "${version}": expected "1" or "2"`);
};
