import { BadRequestError, definePath, f, type HandlerContext, NotFoundError } from '../../sdk/index.ts';
import {
  legacyTokenFields,
  mergeTokenFields,
  type TokenConfig,
  tokenFields,
  tokenFieldsJSON,
} from '../shared/token-fields.ts';
import type { PasswordHasher, StoredPassword } from './password.ts';

/** A user as stored at `user/<lower-cased username>`: no password, only its Argon2id hash. */
export interface UserEntry {
  password: StoredPassword;
  token: TokenConfig;
}

/** Usernames are case-insensitive, as in Vault. */
export const userKey = (username: string) => `user/${username.toLowerCase()}`;

export function loadUser(ctx: HandlerContext, username: string): Promise<UserEntry | undefined> {
  return ctx.storage.getJSON<UserEntry>(userKey(username));
}

async function mustLoadUser(ctx: HandlerContext, username: string): Promise<UserEntry> {
  const user = await loadUser(ctx, username);
  if (!user) throw new BadRequestError('username does not exist');
  return user;
}

const username = f.name({ description: 'Username (case-insensitive)', in: 'path' });
const password = f.string({ description: 'Password of the user', sensitive: true });

async function newPassword(hasher: PasswordHasher, value: string): Promise<StoredPassword> {
  if (value === '') throw new BadRequestError('missing password');
  return hasher.hash(value);
}

/** users, users/:username, users/:username/password, users/:username/policies. */
export function userPaths(hasher: PasswordHasher) {
  return [
    definePath({
      pattern: 'users',
      fields: {},
      operations: {
        list: async (ctx) => {
          const keys = (await ctx.storage.list('user/')).filter((k) => !k.endsWith('/'));
          if (keys.length === 0) throw new NotFoundError();
          return { data: { keys } };
        },
      },
      help: { synopsis: 'List users', description: 'LIST answers the usernames of this mount.' },
    }),
    definePath({
      pattern: 'users/:username',
      fields: {
        username,
        password,
        ...tokenFields,
        ttl: legacyTokenFields.ttl,
        max_ttl: legacyTokenFields.max_ttl,
        bound_cidrs: legacyTokenFields.bound_cidrs,
      },
      exists: (ctx, v) => ctx.storage.has(userKey(v.username!)),
      operations: {
        read: async (ctx, v) => {
          const user = await loadUser(ctx, v.username!);
          if (!user) throw new NotFoundError();
          return { data: tokenFieldsJSON(user.token) };
        },
        update: async (ctx, v) => {
          const existing = await loadUser(ctx, v.username!);
          if (!existing && v.password === undefined) throw new BadRequestError('missing password');
          const entry: UserEntry = {
            password: v.password !== undefined ? await newPassword(hasher, v.password) : existing!.password,
            token: mergeTokenFields(existing?.token, v),
          };
          await ctx.storage.putJSON(userKey(v.username!), entry);
        },
        delete: async (ctx, v) => {
          await ctx.storage.delete(userKey(v.username!));
        },
      },
      help: {
        synopsis: 'Manage users allowed to authenticate',
        description:
          'POST creates or updates a user (password required on create; it is stored as an Argon2id ' +
          'hash). GET shows the token settings (never the password); DELETE removes the user.',
      },
    }),
    definePath({
      pattern: 'users/:username/password',
      fields: { username, password: { ...password, required: true } },
      operations: {
        update: async (ctx, v) => {
          const user = await mustLoadUser(ctx, v.username!);
          user.password = await newPassword(hasher, v.password!);
          await ctx.storage.putJSON(userKey(v.username!), user);
        },
      },
      help: { synopsis: "Reset a user's password", description: 'POST with "password" replaces it.' },
    }),
    definePath({
      pattern: 'users/:username/policies',
      fields: { username, token_policies: tokenFields.token_policies, policies: tokenFields.policies },
      operations: {
        update: async (ctx, v) => {
          const user = await mustLoadUser(ctx, v.username!);
          if (v.token_policies === undefined && v.policies === undefined) {
            throw new BadRequestError('missing token_policies');
          }
          user.token = mergeTokenFields(user.token, {
            token_policies: v.token_policies,
            policies: v.policies,
          });
          await ctx.storage.putJSON(userKey(v.username!), user);
        },
      },
      help: {
        synopsis: "Update a user's token policies",
        description: 'POST with "token_policies" (or the legacy "policies") replaces them.',
      },
    }),
  ];
}
