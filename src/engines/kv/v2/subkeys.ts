import { definePath, f } from '../../../sdk/index.ts';
import { readVersion } from './data.ts';
import { secretPath } from './fields.ts';
import { isObject } from './merge-patch.ts';

/**
 * The structure of `data` with its values removed: every key maps to null, except non-empty
 * objects, which nest — down to `depth` levels (0 = no limit).
 */
export function subkeys(data: Record<string, unknown>, depth: number, level = 1): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [
      k,
      isObject(v) && Object.keys(v).length > 0 && (depth === 0 || level < depth)
        ? subkeys(v, depth, level + 1)
        : null,
    ]),
  );
}

export const subkeysPath = definePath({
  pattern: 'subkeys/:path+',
  fields: {
    path: secretPath(),
    version: f.int({ description: 'The version to read (0 = latest).', min: 0, in: 'query' }),
    depth: f.int({
      description: 'How deep to descend into nested objects; 0 (the default) means no limit.',
      min: 0,
      in: 'query',
    }),
  },
  operations: {
    read: async (ctx, { path, version, depth }) => {
      const found = await readVersion(ctx, path!, version);
      if (found.kind === 'gone') return { status: 404, data: { metadata: found.metadata, subkeys: null } };
      return { data: { metadata: found.metadata, subkeys: subkeys(found.data, depth ?? 0) } };
    },
  },
  help: {
    synopsis: 'Read the structure of a secret, without its values.',
    description:
      'Returns the keys of a version of the secret, nested objects as objects and every leaf as null. ' +
      '?version=N picks a version, ?depth=N limits the nesting.',
  },
  responses: { read: { subkeys: 'The keys, leaves as null', metadata: 'The version metadata' } },
});
