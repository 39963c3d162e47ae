import type { Secret } from '../../client/index.ts';
import { defineCommand } from '../command.ts';
import { dataSources, parseDataArgs } from '../data-args.ts';
import { printFieldOf, printSecret } from '../secret-output.ts';

export const write = defineCommand({
  name: 'write',
  synopsis: 'Write data, configuration, and secrets',
  usage: 'coffer write [options] PATH [DATA K=V...]',
  description: `Writes data to Coffer at the given path. The data can be credentials, secrets,
configuration, or arbitrary data. The specific behavior of this command is determined at the
thing mounted at the path.

Data is specified as "key=value" pairs. If the value begins with an "@", it is loaded from a
file. If the value is "-", it is read from stdin. If the argument is "-" alone, a JSON object
is read from stdin.

Persist data in the generic secrets engine:

  $ coffer write secret/my-secret foo=bar

Create a new encryption key in the transit secrets engine:

  $ coffer write -force transit/keys/my-key

Upload an AWS IAM policy from a file on disk:

  $ coffer write aws/roles/ops policy=@policy.json

Configure from a JSON object on stdin:

  $ echo '{"foo":"bar"}' | coffer write secret/my-secret -`,
  flags: {
    force: {
      type: 'bool',
      usage:
        'Allow the operation to continue with no key=value pairs. This allows writing to keys that do not need or expect data.',
    },
    f: { type: 'bool', usage: 'Alias for -force.' },
    field: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Print only the field with the given name. Specifying this option will take precedence over other formatting directives.',
    },
  },
  args: { min: 1 },
  async run(ctx) {
    const [path, ...rest] = ctx.args as [string, ...string[]];
    if (rest.length === 0 && !ctx.flags.force && !ctx.flags.f) {
      return ctx.usageError('Must supply data or use -force');
    }
    const data = await parseDataArgs(rest, dataSources(ctx.io.stdin));
    let secret: Secret | null;
    try {
      secret = await (await ctx.client()).write(path, data);
    } catch (error) {
      return ctx.fail(`Error writing data to ${path}`, error);
    }
    if (secret === null) {
      if (ctx.format === 'table' && ctx.flags.field === undefined)
        ctx.out(`Success! Data written to: ${path}`);
      return 0;
    }
    if (ctx.flags.field !== undefined) return printFieldOf(ctx, secret, ctx.flags.field);
    printSecret(ctx, secret);
    return 0;
  },
});
