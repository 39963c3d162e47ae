import { BadRequestError, NotFoundError } from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import { decodePolicyText } from '../policy/paths.ts';
import type { PasswordPolicyStore } from './store.ts';

/** What the password policy endpoints need: the store (core builds it on `sys/password_policy/`). */
export interface PasswordPolicyPathDeps {
  readonly store: Pick<PasswordPolicyStore, 'get' | 'put' | 'delete' | 'list' | 'generate'>;
}

const nameField = f.string({ description: 'Name of the password policy', in: 'path' });

/** sys/policies/password, sys/policies/password/:name and …/:name/generate (relative to sys/). */
export function passwordPolicyPaths(deps: PasswordPolicyPathDeps) {
  const write = async (_ctx: unknown, v: { name?: string | undefined; policy?: string | undefined }) => {
    if (!v.policy) throw new BadRequestError("'policy' parameter not supplied or empty");
    await deps.store.put(v.name!, decodePolicyText(v.policy));
    return {};
  };
  return [
    definePath({
      pattern: 'policies/password',
      fields: {},
      operations: { list: async () => ({ data: { keys: await deps.store.list() } }) },
      help: {
        synopsis: 'List the password policies',
        description: 'Names of every password policy.',
      },
      responses: { list: { keys: 'Password policy names' } },
    }),
    definePath({
      pattern: 'policies/password/:name',
      fields: {
        name: nameField,
        policy: f.string({ description: 'The policy text (HCL or JSON, optionally base64-encoded)' }),
      },
      exists: async (_ctx, v) => (await deps.store.get(v.name!)) !== undefined,
      operations: {
        read: async (_ctx, v) => {
          const policy = await deps.store.get(v.name!);
          if (policy === undefined) throw new NotFoundError();
          return { data: { policy } };
        },
        create: write,
        update: write,
        delete: async (_ctx, v) => {
          await deps.store.delete(v.name!);
          return {};
        },
      },
      help: {
        synopsis: 'Read, write or delete a password policy',
        description:
          'A password policy sets the length of generated passwords and, with "charset" rules, the characters they are drawn from and how many of each set they must hold.',
      },
      responses: { read: { policy: 'Policy text' } },
    }),
    definePath({
      pattern: 'policies/password/:name/generate',
      fields: { name: nameField },
      operations: {
        read: async (_ctx, v) => ({ data: { password: await deps.store.generate(v.name!) } }),
      },
      help: {
        synopsis: 'Generate a password from a password policy',
        description: 'A new random password that meets the named policy, on every call.',
      },
      responses: { read: { password: 'The generated password' } },
    }),
  ];
}
