import { readFile, writeFile } from 'node:fs/promises';
import { type HclBody, HclParseError, parseHCL } from '../../hcl/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT_LOCAL } from '../exit-code.ts';
import { formatHcl } from '../hcl-format.ts';

export const policyFmt = defineCommand({
  name: 'policy fmt',
  synopsis: 'Formats a policy on disk',
  usage: 'coffer policy fmt [options] PATH',
  description: `Formats a local policy file to the policy specification. This command will
overwrite the file at the given PATH with the properly-formatted policy file contents. Comments
are kept, each on its own line before the item it preceded (or after the attribute it ended).

Format the local file "my-policy.hcl" as a policy file:

  $ coffer policy fmt my-policy.hcl`,
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = ctx.args[0]!;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      return ctx.fail('Error opening policy file', error);
    }
    let formatted: string;
    try {
      const problem = policyProblem(parseHCL(text));
      if (problem !== undefined) {
        ctx.err(`Failed to parse policy: ${path}: ${problem}`);
        return EXIT_LOCAL;
      }
      formatted = formatHcl(text);
    } catch (error) {
      if (!(error instanceof HclParseError)) throw error;
      ctx.err(`Failed to parse policy: ${path}: ${error.message}`);
      return EXIT_LOCAL;
    }
    try {
      await writeFile(path, formatted);
    } catch (error) {
      return ctx.fail('Error writing formatted policy', error);
    }
    ctx.out(`Success! Formatted policy: ${path}`);
    return 0;
  },
});

const PATH_KEYS = new Set([
  'capabilities',
  'policy',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
  'mfa_methods',
  'control_group',
  'subscribe_event_types',
]);

/** What makes a parsed file not an ACL policy: top-level `name` and `path "…" {}` only, known keys. */
function policyProblem(body: HclBody): string | undefined {
  for (const item of body.items) {
    const at = `line ${item.pos.line}, column ${item.pos.column}`;
    if (item.kind === 'attribute') {
      if (item.name !== 'name') return `${at}: invalid key "${item.name}"`;
      continue;
    }
    if (item.name !== 'path') return `${at}: invalid key "${item.name}"`;
    if (item.labels.length !== 1) return `${at}: a path block takes exactly one label, the path`;
    for (const inner of item.body.items) {
      if (!PATH_KEYS.has(inner.name)) {
        return `line ${inner.pos.line}, column ${inner.pos.column}: invalid key "${inner.name}" in path "${item.labels[0]}"`;
      }
    }
  }
  return undefined;
}
