import type { EnableMountInput } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { parseKeyValueFlags } from '../flags.ts';

export const secretsEnable = defineCommand({
  name: 'secrets enable',
  synopsis: 'Enable a secrets engine',
  usage: 'coffer secrets enable [options] TYPE',
  description: `Enables a secrets engine. By default, secrets engines are enabled at the path
corresponding to their TYPE, but users can customize the path using the -path option.

Once enabled, Coffer will route all requests which begin with the path to the secrets engine.

Enable the KV version 2 secrets engine at secret/:

  $ coffer secrets enable -path=secret kv-v2

Enable the transit secrets engine with a description:

  $ coffer secrets enable -description="Encryption as a service" transit`,
  flags: {
    path: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Place where the secrets engine will be accessible. This must be unique across all secrets engines. This defaults to the "type" of the secrets engine.',
    },
    description: {
      type: 'string',
      placeholder: '<string>',
      usage: 'Human-friendly description for the purpose of this engine.',
    },
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
    'force-no-cache': {
      type: 'bool',
      usage: 'Force the secrets engine to disable caching.',
    },
    local: {
      type: 'bool',
      usage: 'Mark the secrets engine as local-only. Local engines are not replicated.',
    },
    'seal-wrap': { type: 'bool', usage: 'Enable seal wrapping of critical values in the secrets engine.' },
    options: {
      type: 'list',
      placeholder: '<key=value>',
      usage:
        'Key-value pair provided as key=value for the mount options. This can be specified multiple times.',
    },
    version: {
      type: 'int',
      usage: 'Select the version of the engine to run. Not supported by all engines; for kv, 1 or 2.',
    },
  },
  args: { min: 1, max: 1 },
  async run(ctx) {
    let type = ctx.args[0]!;
    const options = parseKeyValueFlags('options', ctx.flags.options);
    const path = ensureSlash(ctx.flags.path ?? type);
    if (type === 'kv-v2') {
      type = 'kv';
      options.version = '2';
    }
    if (ctx.flags.version !== undefined && ctx.flags.version > 0) options.version = String(ctx.flags.version);
    const config: Record<string, unknown> = {};
    if (ctx.flags['default-lease-ttl'] !== undefined)
      config.default_lease_ttl = ctx.flags['default-lease-ttl'];
    if (ctx.flags['max-lease-ttl'] !== undefined) config.max_lease_ttl = ctx.flags['max-lease-ttl'];
    if (ctx.flags['force-no-cache']) config.force_no_cache = true;
    const input: EnableMountInput = { type, description: ctx.flags.description ?? '', config, options };
    if (ctx.flags.local) input.local = true;
    if (ctx.flags['seal-wrap']) input.seal_wrap = true;
    try {
      await (await ctx.client()).sys.enableMount(path, input);
    } catch (error) {
      return ctx.fail('Error enabling', error);
    }
    ctx.out(`Success! Enabled the ${ctx.args[0]} secrets engine at: ${path}`);
    return 0;
  },
});

function ensureSlash(path: string): string {
  const trimmed = path.replace(/^\/+/, '');
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}
