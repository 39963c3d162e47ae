import { f } from '../../../sdk/index.ts';

/** The secret's path below the engine's prefix (`data/`, `metadata/`, ...). */
export const secretPath = (what = 'Location of the secret.') => f.string({ description: what, in: 'path' });

/** A list of version numbers: `[1, 2]`, `["1", "2"]` or `"1,2"` (Vault's comma-int slice). */
export const versionList = (opts: { description: string; required?: boolean }) => f.intList(opts);

/** A duration in seconds that may be negative (the mount config uses negative for "disabled"). */
export const signedDuration = (opts: { description: string }) => f.duration({ ...opts, signed: true });
