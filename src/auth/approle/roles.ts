import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  definePath,
  type Fields,
  f,
  type HandlerContext,
  NotFoundError,
} from '../../sdk/index.ts';
import { parseCidrList } from '../shared/cidr.ts';
import {
  checkTokenConfig,
  legacyTokenFields,
  mergeTokenFields,
  tokenFields,
  tokenFieldsJSON,
} from '../shared/token-fields.ts';
import {
  type ApproleState,
  checkRoleConstraints,
  deleteSecretId,
  loadRole,
  mustLoadRole,
  type RoleEntry,
  roleIdKey,
  roleKey,
  type SecretIdEntry,
  secretIdPrefix,
} from './store.ts';

export const roleName = f.name({ description: 'Name of the role (case-insensitive)', in: 'path' });

const roleFields = {
  role_name: roleName,
  role_id: f.string({ description: 'Identifier of the role; a UUID when not given' }),
  bind_secret_id: f.bool({ description: 'Require a secret id at login (default true)' }),
  secret_id_bound_cidrs: f.commaList({ description: 'CIDR blocks logins with this role may come from' }),
  bound_cidr_list: f.commaList({ description: 'Use "secret_id_bound_cidrs" instead (legacy)' }),
  secret_id_num_uses: f.int({ description: 'Uses of a secret id (0 = unlimited)', min: 0 }),
  secret_id_ttl: f.duration({ description: 'Lifetime of a secret id (0 = no expiry)' }),
  local_secret_ids: f.bool({ description: 'Secret ids are cluster-local (set at creation only)' }),
  ...tokenFields,
  period: legacyTokenFields.period,
};

/** The read shape of a role (Vault's, without role_id). */
export function roleJSON(role: RoleEntry): Record<string, unknown> {
  return {
    bind_secret_id: role.bind_secret_id,
    local_secret_ids: role.local_secret_ids,
    secret_id_bound_cidrs: [...role.secret_id_bound_cidrs],
    secret_id_num_uses: role.secret_id_num_uses,
    secret_id_ttl: role.secret_id_ttl,
    ...tokenFieldsJSON(role.token),
  };
}

async function saveRole(ctx: HandlerContext, role: RoleEntry): Promise<void> {
  checkRoleConstraints(role);
  checkTokenConfig(role.token);
  await ctx.storage.putJSON(roleKey(role.role_name), role);
}

/** Points `role_id` at the role; refuses one another role uses. */
async function claimRoleId(
  ctx: HandlerContext,
  state: ApproleState,
  role: RoleEntry,
  roleId: string,
  previous: string | undefined,
): Promise<void> {
  if (roleId === '') throw new BadRequestError('missing role_id');
  const key = await roleIdKey(state, ctx.storage, roleId);
  const owner = await ctx.storage.getJSON<{ role_name: string }>(key);
  if (owner && owner.role_name !== role.role_name) throw new BadRequestError('role_id already in use');
  const ops: Parameters<typeof ctx.storage.batch>[0] = [
    { op: 'put', key, value: Buffer.from(JSON.stringify({ role_name: role.role_name })) },
  ];
  if (previous !== undefined && previous !== roleId) {
    ops.push({ op: 'delete', key: await roleIdKey(state, ctx.storage, previous) });
  }
  await ctx.storage.batch(ops);
  role.role_id = roleId;
}

async function deleteRole(ctx: HandlerContext, state: ApproleState, name: string): Promise<void> {
  const role = await loadRole(ctx, name);
  if (!role) return;
  const prefix = secretIdPrefix(role.role_name);
  for (const hmac of await ctx.storage.list(prefix)) {
    const entry = await ctx.storage.getJSON<SecretIdEntry>(prefix + hmac);
    await deleteSecretId(state, ctx.storage, role.role_name, hmac, entry);
  }
  await ctx.storage.batch([
    { op: 'delete', key: await roleIdKey(state, ctx.storage, role.role_id) },
    { op: 'delete', key: roleKey(role.role_name) },
  ]);
}

/** One setting of a role as its own endpoint (`role/:role_name/secret-id-ttl` and the like). */
interface RoleSetting {
  segment: string;
  fields: Fields;
  read(role: RoleEntry): Record<string, unknown>;
  /** Applies the given values; throws when none is given. */
  write?(role: RoleEntry, v: Record<string, unknown>): void;
  reset?(role: RoleEntry): void;
}

function need<T>(v: T | undefined, name: string): T {
  if (v === undefined) throw new BadRequestError(`missing ${name}`);
  return v;
}

const settings: RoleSetting[] = [
  {
    segment: 'policies',
    fields: { token_policies: tokenFields.token_policies, policies: tokenFields.policies },
    read: (r) => ({ policies: [...r.token.token_policies], token_policies: [...r.token.token_policies] }),
    write: (r, v) => {
      need(v.token_policies ?? v.policies, 'token_policies');
      r.token = mergeTokenFields(r.token, {
        token_policies: v.token_policies as string[] | undefined,
        policies: v.policies as string[] | undefined,
      });
    },
    reset: (r) => {
      r.token.token_policies = [];
    },
  },
  {
    segment: 'secret-id-num-uses',
    fields: { secret_id_num_uses: roleFields.secret_id_num_uses },
    read: (r) => ({ secret_id_num_uses: r.secret_id_num_uses }),
    write: (r, v) => {
      r.secret_id_num_uses = need(v.secret_id_num_uses as number | undefined, 'secret_id_num_uses');
    },
    reset: (r) => {
      r.secret_id_num_uses = 0;
    },
  },
  {
    segment: 'secret-id-ttl',
    fields: { secret_id_ttl: roleFields.secret_id_ttl },
    read: (r) => ({ secret_id_ttl: r.secret_id_ttl }),
    write: (r, v) => {
      r.secret_id_ttl = need(v.secret_id_ttl as number | undefined, 'secret_id_ttl');
    },
    reset: (r) => {
      r.secret_id_ttl = 0;
    },
  },
  {
    segment: 'bind-secret-id',
    fields: { bind_secret_id: roleFields.bind_secret_id },
    read: (r) => ({ bind_secret_id: r.bind_secret_id }),
    write: (r, v) => {
      r.bind_secret_id = need(v.bind_secret_id as boolean | undefined, 'bind_secret_id');
    },
    reset: (r) => {
      r.bind_secret_id = true;
    },
  },
  {
    segment: 'secret-id-bound-cidrs',
    fields: { secret_id_bound_cidrs: roleFields.secret_id_bound_cidrs },
    read: (r) => ({ secret_id_bound_cidrs: [...r.secret_id_bound_cidrs] }),
    write: (r, v) => {
      const list = need(v.secret_id_bound_cidrs as string[] | undefined, 'secret_id_bound_cidrs');
      r.secret_id_bound_cidrs = parseCidrList('secret_id_bound_cidrs', list);
    },
    reset: (r) => {
      r.secret_id_bound_cidrs = [];
    },
  },
  {
    segment: 'bound-cidr-list',
    fields: { bound_cidr_list: roleFields.bound_cidr_list },
    read: (r) => ({ bound_cidr_list: [...r.secret_id_bound_cidrs] }),
    write: (r, v) => {
      const list = need(v.bound_cidr_list as string[] | undefined, 'bound_cidr_list');
      r.secret_id_bound_cidrs = parseCidrList('bound_cidr_list', list);
    },
    reset: (r) => {
      r.secret_id_bound_cidrs = [];
    },
  },
  ...(
    [
      ['token-ttl', 'token_ttl', 0],
      ['token-max-ttl', 'token_max_ttl', 0],
      ['token-num-uses', 'token_num_uses', 0],
      ['token-bound-cidrs', 'token_bound_cidrs', []],
    ] as const
  ).map(
    ([segment, field, zero]): RoleSetting => ({
      segment,
      fields: { [field]: tokenFields[field] },
      read: (r) => ({ [field]: structuredClone(r.token[field]) }),
      write: (r, v) => {
        need(v[field], field);
        r.token = mergeTokenFields(r.token, { [field]: v[field] });
      },
      reset: (r) => {
        (r.token as unknown as Record<string, unknown>)[field] = structuredClone(zero);
      },
    }),
  ),
  {
    segment: 'period',
    fields: { token_period: tokenFields.token_period, period: legacyTokenFields.period },
    read: (r) => ({ period: r.token.token_period, token_period: r.token.token_period }),
    write: (r, v) => {
      need(v.token_period ?? v.period, 'token_period');
      r.token = mergeTokenFields(r.token, {
        token_period: v.token_period as number | undefined,
        period: v.period as number | undefined,
      });
    },
    reset: (r) => {
      r.token.token_period = 0;
    },
  },
  {
    segment: 'local-secret-ids',
    fields: {},
    read: (r) => ({ local_secret_ids: r.local_secret_ids }),
  },
];

function settingPath(s: RoleSetting) {
  const save = async (ctx: HandlerContext, name: string, change: (r: RoleEntry) => void) => {
    const role = await loadRole(ctx, name);
    if (!role) throw new NotFoundError();
    change(role);
    await saveRole(ctx, role);
  };
  return definePath({
    pattern: `role/:role_name/${s.segment}`,
    fields: { role_name: roleName, ...s.fields },
    operations: {
      read: async (ctx, v) => {
        const role = await loadRole(ctx, v.role_name!);
        if (!role) throw new NotFoundError();
        return { data: s.read(role) };
      },
      ...(s.write
        ? {
            update: (ctx: HandlerContext, v: Record<string, unknown>) =>
              save(ctx, v.role_name as string, (r) => s.write!(r, v)),
          }
        : {}),
      ...(s.reset
        ? {
            delete: (ctx: HandlerContext, v: Record<string, unknown>) =>
              save(ctx, v.role_name as string, s.reset!),
          }
        : {}),
    },
    help: {
      synopsis: `Read or change the role's ${s.segment} setting`,
      description: s.write
        ? 'GET answers the setting, POST changes it, DELETE resets it to its default.'
        : 'GET answers the setting (it can only be set when the role is created).',
    },
  });
}

/** role, role/:role_name, role/:role_name/role-id and the per-setting endpoints. */
export function rolePaths(state: ApproleState) {
  return [
    definePath({
      pattern: 'role',
      fields: {},
      operations: {
        list: async (ctx) => {
          const keys = (await ctx.storage.list('role/')).filter((k) => !k.endsWith('/'));
          if (keys.length === 0) throw new NotFoundError();
          return { data: { keys } };
        },
      },
      help: { synopsis: 'List the roles', description: 'LIST answers the role names of this mount.' },
    }),
    definePath({
      pattern: 'role/:role_name',
      fields: roleFields,
      exists: (ctx, v) => ctx.storage.has(roleKey(v.role_name!)),
      operations: {
        read: async (ctx, v) => {
          const role = await loadRole(ctx, v.role_name!);
          if (!role) throw new NotFoundError();
          return { data: roleJSON(role) };
        },
        update: async (ctx, v) => {
          const name = v.role_name!.toLowerCase();
          const existing = await loadRole(ctx, name);
          if (
            existing &&
            v.local_secret_ids !== undefined &&
            v.local_secret_ids !== existing.local_secret_ids
          ) {
            throw new BadRequestError('local_secret_ids can only be set during role creation');
          }
          const role: RoleEntry = existing ?? {
            role_name: name,
            role_id: '',
            bind_secret_id: true,
            secret_id_bound_cidrs: [],
            secret_id_num_uses: 0,
            secret_id_ttl: 0,
            local_secret_ids: v.local_secret_ids ?? false,
            token: mergeTokenFields(undefined, {}),
          };
          if (v.bind_secret_id !== undefined) role.bind_secret_id = v.bind_secret_id;
          const cidrs = v.secret_id_bound_cidrs ?? v.bound_cidr_list;
          if (cidrs !== undefined) {
            role.secret_id_bound_cidrs = parseCidrList(
              v.secret_id_bound_cidrs !== undefined ? 'secret_id_bound_cidrs' : 'bound_cidr_list',
              cidrs,
            );
          }
          if (v.secret_id_num_uses !== undefined) role.secret_id_num_uses = v.secret_id_num_uses;
          if (v.secret_id_ttl !== undefined) role.secret_id_ttl = v.secret_id_ttl;
          role.token = mergeTokenFields(role.token, v);
          checkRoleConstraints(role);
          if (!existing || (v.role_id !== undefined && v.role_id !== role.role_id)) {
            await claimRoleId(ctx, state, role, v.role_id ?? randomUUID(), existing?.role_id);
          }
          await saveRole(ctx, role);
        },
        delete: (ctx, v) => deleteRole(ctx, state, v.role_name!),
      },
      help: {
        synopsis: 'Register or manage a role',
        description:
          'POST creates or updates a role (a role id is generated unless given); GET shows its settings; ' +
          'DELETE removes it with all its secret ids.',
      },
    }),
    definePath({
      pattern: 'role/:role_name/role-id',
      fields: {
        role_name: roleName,
        role_id: f.string({ description: 'Identifier of the role', required: true }),
      },
      operations: {
        read: async (ctx, v) => {
          const role = await loadRole(ctx, v.role_name!);
          if (!role) throw new NotFoundError();
          return { data: { role_id: role.role_id } };
        },
        update: async (ctx, v) => {
          const role = await mustLoadRole(ctx, v.role_name!);
          await claimRoleId(ctx, state, role, v.role_id!, role.role_id);
          await saveRole(ctx, role);
        },
      },
      help: {
        synopsis: "Read or set the role's role id",
        description: 'GET answers the role id; POST with "role_id" replaces it (the old one stops working).',
      },
    }),
    ...settings.map(settingPath),
  ];
}
