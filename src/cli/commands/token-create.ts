import type { Secret, TokenCreateRequest } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { parseKeyValueFlags } from '../flags.ts';
import { printFieldOf, printSecret } from '../secret-output.ts';

export const tokenCreate = defineCommand({
  name: 'token create',
  synopsis: 'Create a new token',
  usage: 'coffer token create [options]',
  description: `Creates a new token that can be used for authentication. This token will be created
as a child of the currently authenticated token. The generated token will inherit all policies
and permissions of the currently authenticated token unless you explicitly define a subset list
policies to assign to the token.

A ttl can also be associated with the token. If a ttl is not associated with the token, then it
cannot be renewed. If a ttl is associated with the token, it will expire after that amount of
time unless it is renewed.

Metadata associated with the token (specified with "-metadata") is written to the audit log when
the token is used.

If a role is specified, the role may override parameters specified here.

Create a token attached to specific policies:

  $ coffer token create -policy=my-policy -policy=other-policy

Create a periodic token:

  $ coffer token create -period=30m`,
  flags: {
    id: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Value for the token. By default, this is an auto-generated string. Specifying this value requires sudo permissions.',
    },
    'display-name': {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Name to associate with this token. This is a non-sensitive value that can be used to help identify created secrets (e.g. prefixes).',
    },
    ttl: {
      type: 'string',
      placeholder: '<duration>',
      usage:
        'Initial TTL to associate with the token. Token renewals may be able to extend beyond this value, depending on the configured maximum TTLs.',
    },
    'explicit-max-ttl': {
      type: 'string',
      placeholder: '<duration>',
      usage:
        'Explicit maximum lifetime for the token. Unlike normal TTLs, the maximum TTL is a hard limit and cannot be exceeded.',
    },
    period: {
      type: 'string',
      placeholder: '<duration>',
      usage:
        'If specified, every renewal will use the given period. Periodic tokens do not expire (unless -explicit-max-ttl is also provided). Setting this value requires sudo permissions.',
    },
    renewable: {
      type: 'bool',
      default: true,
      usage: 'Allow the token to be renewed up to its maximum TTL.',
    },
    orphan: {
      type: 'bool',
      usage:
        'Create the token with no parent. This prevents the token from being revoked when the token which created it expires. Setting this value requires root or sudo permissions.',
    },
    'no-default-policy': {
      type: 'bool',
      usage: 'Detach the "default" policy from the policy set for this token.',
    },
    'use-limit': {
      type: 'int',
      usage:
        'Number of times this token can be used. After the last use, the token is automatically revoked. By default, tokens can be used an unlimited number of times until their expiration.',
    },
    role: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Name of the role to create the token against. Specifying -role may override other arguments. The locally authenticated token must have permission for "auth/token/create/<role>".',
    },
    type: {
      type: 'string',
      placeholder: '<string>',
      usage: 'The type of token to create. Can be "service" or "batch".',
    },
    policy: {
      type: 'list',
      placeholder: '<string>',
      usage:
        'Name of a policy to associate with this token. This can be specified multiple times to attach multiple policies.',
    },
    metadata: {
      type: 'list',
      placeholder: '<key=value>',
      usage:
        'Arbitrary key=value metadata to associate with the token. This metadata will show in the audit log when the token is used. This can be specified multiple times to add multiple pieces of metadata.',
    },
    'entity-alias': {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Name of the entity alias to associate with during token creation. Only works in combination with -role.',
    },
    field: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Print only the field with the given name. Specifying this option will take precedence over other formatting directives.',
    },
  },
  args: { max: 0 },
  async run(ctx) {
    const f = ctx.flags;
    const type = f.type?.toLowerCase();
    if (type !== undefined && !['service', 'batch', 'default'].includes(type)) {
      return ctx.usageError(`Invalid token type "${f.type}": must be "service" or "batch"`);
    }
    const request: TokenCreateRequest = {};
    if (f.id !== undefined) request.id = f.id;
    const policies = f.policy.flatMap((p) => p.split(',').map((x) => x.trim())).filter((p) => p !== '');
    if (policies.length > 0) request.policies = policies;
    if (f.metadata.length > 0) request.meta = parseKeyValueFlags('metadata', f.metadata);
    if (f.ttl !== undefined) request.ttl = f.ttl;
    if (f['explicit-max-ttl'] !== undefined) request.explicit_max_ttl = f['explicit-max-ttl'];
    if (f.period !== undefined) request.period = f.period;
    if (ctx.set.has('renewable')) request.renewable = f.renewable;
    if (f['no-default-policy']) request.no_default_policy = true;
    if (f['display-name'] !== undefined) request.display_name = f['display-name'];
    if (f['use-limit'] !== undefined) request.num_uses = f['use-limit'];
    if (type !== undefined) request.type = type;
    if (f['entity-alias'] !== undefined) request.entity_alias = f['entity-alias'];

    let secret: Secret<null>;
    try {
      const tokens = (await ctx.client()).tokens;
      if (f.role !== undefined && f.role !== '') secret = await tokens.createWithRole(f.role, request);
      else if (f.orphan) secret = await tokens.createOrphan(request);
      else secret = await tokens.create(request);
    } catch (error) {
      return ctx.fail('Error creating token', error);
    }
    if (f.field !== undefined) return printFieldOf(ctx, secret, f.field);
    printSecret(ctx, secret);
    return 0;
  },
});
