import { readFile } from 'node:fs/promises';
import { defineCommand } from '../command.ts';
import { readAll } from '../io.ts';

export const policyWrite = defineCommand({
  name: 'policy write',
  synopsis: 'Uploads a named policy from a file',
  usage: 'coffer policy write [options] NAME PATH',
  description: `Uploads a policy with name NAME from the contents of a local file PATH or stdin.
If PATH is "-", the policy is read from stdin. Otherwise, it is loaded from the file at the given
path on the local disk.

Upload a policy named "my-policy" from "/tmp/policy.hcl" on the local disk:

  $ coffer policy write my-policy /tmp/policy.hcl

Upload a policy from stdin:

  $ cat my-policy.hcl | coffer policy write my-policy -`,
  flags: {},
  args: { min: 2, max: 2 },
  async run(ctx) {
    const name = ctx.args[0]!.trim().toLowerCase();
    const source = ctx.args[1]!;
    let policy: string;
    try {
      policy = source === '-' ? await readAll(ctx.io.stdin) : await readFile(source, 'utf8');
    } catch (error) {
      return ctx.fail('Error opening policy file', error);
    }
    try {
      await (await ctx.client()).policies.write(name, policy);
    } catch (error) {
      return ctx.fail('Error uploading policy', error);
    }
    ctx.out(`Success! Uploaded policy: ${name}`);
    return 0;
  },
});
