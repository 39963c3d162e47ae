import type { TuneMountInput } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { parseKeyValueFlags } from '../flags.ts';

export const secretsTune = defineCommand({
  name: 'secrets tune',
  synopsis: 'Tune a secrets engine configuration',
  usage: 'coffer secrets tune [options] PATH',
  description: `Tunes the configuration options for the secrets engine at the given PATH. The
argument corresponds to the PATH where the secrets engine is enabled, not the TYPE!

Tune the default lease for the PKI secrets engine:

  $ coffer secrets tune -default-lease-ttl=72h pki/`,
  flags: {
    'default-lease-ttl': {
      type: 'string',
      placeholder: '<duration>',
      usage:
        'The default lease TTL for this secrets engine. If unspecified, this defaults to the system default.',
    },
    'max-lease-ttl': {
      type: 'string',
      placeholder: '<duration>',
      usage:
        'The maximum lease TTL for this secrets engine. If unspecified, this defaults to the system default.',
    },
    description: {
      type: 'string',
      placeholder: '<string>',
      usage: 'Human-friendly description of this secrets engine. An empty string clears it.',
    },
    options: {
      type: 'list',
      placeholder: '<key=value>',
      usage:
        'Key-value pair provided as key=value for the mount options. This can be specified multiple times.',
    },
    'listing-visibility': {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Determines the visibility of the mount in the UI-specific listing endpoint ("unauth" or "hidden").',
    },
  },
  args: { min: 1, max: 1 },
  async run(ctx) {
    const trimmed = ctx.args[0]!.replace(/^\/+/, '');
    const path = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
    const input: TuneMountInput = {};
    if (ctx.flags['default-lease-ttl'] !== undefined)
      input.default_lease_ttl = ctx.flags['default-lease-ttl'];
    if (ctx.flags['max-lease-ttl'] !== undefined) input.max_lease_ttl = ctx.flags['max-lease-ttl'];
    if (ctx.flags.description !== undefined) input.description = ctx.flags.description;
    if (ctx.flags['listing-visibility'] !== undefined)
      input.listing_visibility = ctx.flags['listing-visibility'];
    if (ctx.flags.options.length > 0) input.options = parseKeyValueFlags('options', ctx.flags.options);
    try {
      await (await ctx.client()).sys.tuneMount(path, input);
    } catch (error) {
      return ctx.fail('Error tuning secrets engine', error);
    }
    ctx.out(`Success! Tuned the secrets engine at: ${path}`);
    return 0;
  },
});
