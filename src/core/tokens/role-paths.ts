import { BadRequestError, NotFoundError } from '../../sdk/errors.ts';
import type { FieldValues } from '../../sdk/framework/fields.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import { parseCIDRs } from './cidr.ts';
import type { TokenPathDeps } from './deps.ts';
import { sanitizePolicies } from './policies.ts';
import { newRole, type RoleTokenType, roleJSON, type TokenRole } from './roles.ts';

const roleFields = {
  role_name: f.name({ description: 'Name of the role', in: 'path' }),
  allowed_policies: f.commaList({
    description: "Policies tokens may have (replaces the caller's as the bound)",
  }),
  disallowed_policies: f.commaList({
    description: 'Policies tokens may not have ("default" here also stops it being added)',
  }),
  allowed_policies_glob: f.commaList({ description: 'Like allowed_policies, with * globs' }),
  disallowed_policies_glob: f.commaList({ description: 'Like disallowed_policies, with * globs' }),
  allowed_entity_aliases: f.commaList({ description: 'Entity aliases tokens may be created for (* globs)' }),
  orphan: f.bool({ description: 'Tokens are orphans' }),
  renewable: f.bool({ description: 'Tokens can be renewed' }),
  path_suffix: f.string({ description: 'Appended to the token path (auth/token/create/<role>/<suffix>)' }),
  token_bound_cidrs: f.commaList({ description: 'Client addresses (CIDR) tokens may be used from' }),
  bound_cidrs: f.commaList({ description: 'Deprecated alias of token_bound_cidrs' }),
  token_explicit_max_ttl: f.duration({ description: 'Explicit max TTL of tokens' }),
  explicit_max_ttl: f.duration({ description: 'Deprecated alias of token_explicit_max_ttl' }),
  token_no_default_policy: f.bool({ description: 'Do not add the "default" policy' }),
  token_num_uses: f.int({ description: 'Max uses of tokens; 0 = unlimited', min: 0 }),
  token_period: f.duration({ description: 'Make tokens periodic with this period' }),
  period: f.duration({ description: 'Deprecated alias of token_period' }),
  token_type: f.string({
    description: 'service, batch, default-service or default-batch ("default" = default-service)',
    allowed: ['service', 'batch', 'default-service', 'default-batch', 'default'],
  }),
  token_ttl: f.duration({ description: 'Default TTL of tokens' }),
  token_max_ttl: f.duration({ description: 'Max TTL of tokens' }),
};

type RoleValues = FieldValues<typeof roleFields>;

/** Applies the given fields to a role (an update changes only what is sent). */
export function applyRoleFields(role: TokenRole, v: RoleValues): TokenRole {
  const r = { ...role };
  if (v.allowed_policies !== undefined) r.allowedPolicies = sanitizePolicies(v.allowed_policies, false);
  if (v.disallowed_policies !== undefined)
    r.disallowedPolicies = sanitizePolicies(v.disallowed_policies, false);
  if (v.allowed_policies_glob !== undefined)
    r.allowedPoliciesGlob = v.allowed_policies_glob.map((p) => p.toLowerCase());
  if (v.disallowed_policies_glob !== undefined)
    r.disallowedPoliciesGlob = v.disallowed_policies_glob.map((p) => p.toLowerCase());
  if (v.allowed_entity_aliases !== undefined) r.allowedEntityAliases = v.allowed_entity_aliases;
  if (v.orphan !== undefined) r.orphan = v.orphan;
  if (v.renewable !== undefined) r.renewable = v.renewable;
  if (v.path_suffix !== undefined) {
    const s = v.path_suffix.trim();
    if (s.split('/').some((seg) => seg === '..' || seg === '.') || s.startsWith('/'))
      throw new BadRequestError('path_suffix must not contain "." or ".." segments');
    r.pathSuffix = s;
  }
  const cidrs = v.token_bound_cidrs ?? v.bound_cidrs;
  if (cidrs !== undefined) r.tokenBoundCIDRs = parseCIDRs('token_bound_cidrs', cidrs);
  const emt = v.token_explicit_max_ttl ?? v.explicit_max_ttl;
  if (emt !== undefined) r.tokenExplicitMaxTTL = emt;
  if (v.token_no_default_policy !== undefined) r.tokenNoDefaultPolicy = v.token_no_default_policy;
  if (v.token_num_uses !== undefined) r.tokenNumUses = v.token_num_uses;
  const period = v.token_period ?? v.period;
  if (period !== undefined) r.tokenPeriod = period;
  if (v.token_type !== undefined)
    r.tokenType = (v.token_type === 'default' ? 'default-service' : v.token_type) as RoleTokenType;
  if (v.token_ttl !== undefined) r.tokenTTL = v.token_ttl;
  if (v.token_max_ttl !== undefined) r.tokenMaxTTL = v.token_max_ttl;
  if (r.tokenMaxTTL > 0 && r.tokenTTL > r.tokenMaxTTL)
    throw new BadRequestError('token_ttl must not exceed token_max_ttl');
  if (r.tokenType === 'batch') {
    if (r.tokenPeriod > 0) throw new BadRequestError('batch tokens cannot be periodic');
    if (r.tokenNumUses > 0) throw new BadRequestError('batch tokens cannot have num_uses');
  }
  return r;
}

export function rolePaths(deps: TokenPathDeps) {
  const roles = deps.store.roles;
  const write = async (_ctx: unknown, v: RoleValues) => {
    const name = v.role_name!;
    const role = applyRoleFields((await roles.get(name)) ?? newRole(name), v);
    await roles.put(role);
    return {};
  };
  return [
    definePath({
      pattern: 'roles',
      fields: {},
      operations: { list: async () => ({ data: { keys: await roles.list() } }) },
      help: { synopsis: 'List token roles', description: 'Lists the names of the token roles.' },
    }),
    definePath({
      pattern: 'roles/:role_name',
      fields: roleFields,
      exists: async (_ctx, v) => (await roles.get(v.role_name!)) !== undefined,
      operations: {
        read: async (_ctx, v) => {
          const role = await roles.get(v.role_name!);
          if (!role) throw new NotFoundError();
          return { data: roleJSON(role) };
        },
        create: write,
        update: write,
        delete: async (_ctx, v) => {
          await roles.delete(v.role_name!);
          return {};
        },
      },
      help: {
        synopsis: 'Manage token roles',
        description:
          'A role fixes how tokens created with create/:role_name look: allowed and disallowed ' +
          'policies, orphan, renewable, period, TTLs, num_uses, bound CIDRs and token type.',
      },
    }),
  ];
}
