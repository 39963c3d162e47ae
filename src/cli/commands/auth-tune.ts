import type { TuneMountInput } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { parseKeyValueFlags } from '../flags.ts';
import { withSlash } from '../mount-path.ts';

export const authTune = defineCommand({
  name: 'auth tune',
  synopsis: 'Tunes an auth method configuration',
  usage: 'coffer auth tune [options] PATH',
  description: `Tunes the configuration options for the auth method at the given PATH. The argument
corresponds to the PATH where the auth method is enabled, not the TYPE!

Tune the default lease for the github auth method:

  $ coffer auth tune -default-lease-ttl=72h github/`,
  flags: {
    'default-lease-ttl': {
      type: 'string',
      placeholder: '<duration>',
      usage:
        "The default lease TTL for this auth method. If unspecified, this defaults to the Coffer server's globally configured default lease TTL, or a previously configured value for the auth method.",
    },
    'max-lease-ttl': {
      type: 'string',
      placeholder: '<duration>',
      usage:
        "The maximum lease TTL for this auth method. If unspecified, this defaults to the Coffer server's globally configured maximum lease TTL, or a previously configured value for the auth method.",
    },
    description: {
      type: 'string',
      placeholder: '<string>',
      usage: 'Human-friendly description of this auth method. An empty string clears it.',
    },
    'token-type': {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Sets a forced token type for the mount ("service", "batch", "default-service" or "default-batch").',
    },
    'listing-visibility': {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Determines the visibility of the mount in the UI-specific listing endpoint ("unauth" or "hidden").',
    },
    options: {
      type: 'list',
      placeholder: '<key=value>',
      usage:
        'Key-value pair provided as key=value for the mount options. This can be specified multiple times.',
    },
  },
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = withSlash(ctx.args[0]!);
    const input: TuneMountInput = {};
    if (ctx.flags['default-lease-ttl'] !== undefined)
      input.default_lease_ttl = ctx.flags['default-lease-ttl'];
    if (ctx.flags['max-lease-ttl'] !== undefined) input.max_lease_ttl = ctx.flags['max-lease-ttl'];
    if (ctx.flags.description !== undefined) input.description = ctx.flags.description;
    if (ctx.flags['token-type'] !== undefined) input.token_type = ctx.flags['token-type'];
    if (ctx.flags['listing-visibility'] !== undefined)
      input.listing_visibility = ctx.flags['listing-visibility'];
    if (ctx.flags.options.length > 0) input.options = parseKeyValueFlags('options', ctx.flags.options);
    try {
      await (await ctx.client()).auth.tune(path, input);
    } catch (error) {
      return ctx.fail('Error tuning auth method', error);
    }
    ctx.out(`Success! Tuned the auth method at: ${path}`);
    return 0;
  },
});
