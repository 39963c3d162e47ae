import type { EnableAuthInput } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { parseKeyValueFlags } from '../flags.ts';
import { withSlash } from '../mount-path.ts';

export const authEnable = defineCommand({
  name: 'auth enable',
  synopsis: 'Enables a new auth method',
  usage: 'coffer auth enable [options] TYPE',
  description: `Enables a new auth method. An auth method is responsible for authenticating users or
machines and assigning them policies with which they can access Coffer.

Enable the userpass auth method at userpass/:

  $ coffer auth enable userpass

Enable the AppRole auth method at "machines/":

  $ coffer auth enable -path=machines approle`,
  flags: {
    path: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Place where the auth method will be accessible. This must be unique across all auth methods. This defaults to the "type" of the auth method. The auth method will be accessible at "/auth/<path>".',
    },
    description: {
      type: 'string',
      placeholder: '<string>',
      usage: 'Human-friendly description for the purpose of this auth method.',
    },
    'default-lease-ttl': {
      type: 'string',
      placeholder: '<duration>',
      usage:
        "The default lease TTL for this auth method. If unspecified, this defaults to the Coffer server's globally configured default lease TTL.",
    },
    'max-lease-ttl': {
      type: 'string',
      placeholder: '<duration>',
      usage:
        "The maximum lease TTL for this auth method. If unspecified, this defaults to the Coffer server's globally configured maximum lease TTL.",
    },
    'listing-visibility': {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Determines the visibility of the mount in the UI-specific listing endpoint ("unauth" or "hidden").',
    },
    'token-type': {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Sets a forced token type for the mount ("service", "batch", "default-service" or "default-batch").',
    },
    local: {
      type: 'bool',
      usage:
        'Mark the auth method as local-only. Local auth methods are not replicated nor removed by replication.',
    },
    'seal-wrap': { type: 'bool', usage: 'Enable seal wrapping of critical values in the auth method.' },
    options: {
      type: 'list',
      placeholder: '<key=value>',
      usage:
        'Key-value pair provided as key=value for the mount options. This can be specified multiple times.',
    },
  },
  args: { min: 1, max: 1 },
  async run(ctx) {
    const type = ctx.args[0]!;
    const path = withSlash(ctx.flags.path ?? type);
    const config: Record<string, unknown> = {};
    if (ctx.flags['default-lease-ttl'] !== undefined)
      config.default_lease_ttl = ctx.flags['default-lease-ttl'];
    if (ctx.flags['max-lease-ttl'] !== undefined) config.max_lease_ttl = ctx.flags['max-lease-ttl'];
    if (ctx.flags['listing-visibility'] !== undefined)
      config.listing_visibility = ctx.flags['listing-visibility'];
    if (ctx.flags['token-type'] !== undefined) config.token_type = ctx.flags['token-type'];
    const input: EnableAuthInput = { type, description: ctx.flags.description ?? '', config };
    if (ctx.flags.options.length > 0) input.options = parseKeyValueFlags('options', ctx.flags.options);
    if (ctx.flags.local) input.local = true;
    if (ctx.flags['seal-wrap']) input.seal_wrap = true;
    try {
      await (await ctx.client()).auth.enable(path, input);
    } catch (error) {
      return ctx.fail('Error enabling', error);
    }
    ctx.out(`Success! Enabled ${type} auth method at: ${path}`);
    return 0;
  },
});
