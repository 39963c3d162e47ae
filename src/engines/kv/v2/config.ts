import { definePath, f, formatDuration, type Handler } from '../../../sdk/index.ts';
import { signedDuration } from './fields.ts';
import { withLock } from './lock.ts';
import { CONFIG_KEY, loadConfig } from './store.ts';
import { json } from './version-write.ts';

const fields = {
  max_versions: f.int({
    description: 'The number of versions to keep for each key. Defaults to 10 (0 = default).',
    min: 0,
    in: 'body',
  }),
  cas_required: f.bool({
    description: 'If true, the backend will require the cas parameter to be set for each write.',
    in: 'body',
  }),
  delete_version_after: signedDuration({
    description:
      'If set, the length of time before a version is deleted. A negative duration disables it on all ' +
      'keys; zero clears the setting. A Go duration string ("1h30m") or seconds.',
  }),
};

type F = typeof fields;

const read: Handler<F> = async (ctx) => {
  const config = await loadConfig(ctx.storage);
  return {
    data: {
      cas_required: config.casRequired,
      delete_version_after: formatDuration(config.deleteVersionAfter),
      max_versions: config.maxVersions,
    },
  };
};

const write: Handler<F> = (ctx, values) =>
  withLock(ctx.storage, '\0config', async () => {
    const config = await loadConfig(ctx.storage);
    if (values.max_versions !== undefined) config.maxVersions = values.max_versions;
    if (values.cas_required !== undefined) config.casRequired = values.cas_required;
    if (values.delete_version_after !== undefined) config.deleteVersionAfter = values.delete_version_after;
    await ctx.storage.put(CONFIG_KEY, json(config));
  });

export const configPath = definePath({
  pattern: 'config',
  fields,
  operations: { read, create: write, update: write },
  help: {
    synopsis: 'Configure settings that apply to every key of the engine.',
    description:
      'max_versions, cas_required and delete_version_after apply to every secret whose own metadata ' +
      'does not override them.',
  },
  responses: {
    read: {
      cas_required: 'Whether writes must use check-and-set',
      delete_version_after: 'How long a version lives ("0s" = forever)',
      max_versions: 'Versions kept per key (0 = 10)',
    },
  },
});
