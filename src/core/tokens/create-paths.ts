import { BadRequestError, InvalidFieldError, PermissionDeniedError } from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import type { HandlerContext } from '../../sdk/framework/path.ts';
import type { Response } from '../../sdk/request.ts';
import { callerEntry, sudoCheck, type TokenPathDeps } from './deps.ts';
import { checkAssignable, checkSubset, globMatch, sanitizePolicies } from './policies.ts';
import type { TokenRole } from './roles.ts';
import { authBlock, type TokenType } from './token-entry.ts';
import type { CreateTokenParams } from './token-store.ts';

export const createFields = {
  id: f.string({
    description: 'The token id to use (root or sudo only); random when absent',
    sensitive: true,
  }),
  policies: f.commaList({ description: "Policies of the token; default: the caller's" }),
  meta: f.map({ description: 'Metadata (string values), returned by lookups and logged by audit' }),
  no_parent: f.bool({ description: 'Create an orphan (root or sudo only)' }),
  no_default_policy: f.bool({ description: 'Do not add the "default" policy' }),
  renewable: f.bool({ description: 'Whether the token can be renewed past its initial TTL', default: true }),
  ttl: f.duration({ description: 'TTL of the token; default: the mount default' }),
  lease: f.duration({ description: 'Deprecated alias of ttl' }),
  type: f.string({ description: 'Token type: service or batch', allowed: ['service', 'batch'] }),
  explicit_max_ttl: f.duration({ description: 'Hard limit of the token lifetime, renewals included' }),
  display_name: f.string({ description: 'Display name (prefixed with "token-")' }),
  num_uses: f.int({ description: 'Number of uses; 0 = unlimited', min: 0 }),
  period: f.duration({
    description: 'Make the token periodic: each renewal resets its TTL to this (root or sudo only)',
  }),
  entity_alias: f.string({ description: 'Entity alias to attach the token to (with a role only)' }),
};

type CreateValues = {
  [K in keyof typeof createFields]: ReturnType<(typeof createFields)[K]['parse']> | undefined;
};
type Mode = { kind: 'create' } | { kind: 'orphan' } | { kind: 'role'; name: string };

const DISPLAY_SANITIZE = /[^a-zA-Z0-9-]+/g;

function displayName(requested: string | undefined): string {
  if (!requested) return 'token';
  return `token-${requested}`.replace(DISPLAY_SANITIZE, '-').replace(/-+$/, '');
}

function stringMeta(meta: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta ?? {})) {
    if (typeof v !== 'string') throw new InvalidFieldError(`field "meta": value of "${k}" must be a string`);
    out[k] = v;
  }
  return out;
}

function matchesAny(p: string, exact: readonly string[], globs: readonly string[]): boolean {
  return exact.includes(p) || globs.some((g) => globMatch(g, p));
}

/** Token type from the request and the role's `token_type`. */
function tokenType(requested: string | undefined, role: TokenRole | undefined): TokenType {
  const req = requested as TokenType | undefined;
  if (!role) return req ?? 'service';
  switch (role.tokenType) {
    case 'service':
    case 'batch':
      if (req && req !== role.tokenType)
        throw new BadRequestError(`token type "${req}" is not allowed by role "${role.name}"`);
      return role.tokenType;
    case 'default-batch':
      return req ?? 'batch';
    default:
      return req ?? 'service';
  }
}

async function createToken(
  ctx: HandlerContext,
  v: CreateValues,
  mode: Mode,
  deps: TokenPathDeps,
): Promise<Response> {
  const caller = await callerEntry(ctx, deps);
  if (caller.type === 'batch') throw new BadRequestError('batch tokens cannot create more tokens');
  const sudo = sudoCheck(ctx, deps, caller);
  let role: TokenRole | undefined;
  if (mode.kind === 'role') {
    role = await deps.store.roles.get(mode.name);
    if (!role) throw new BadRequestError(`unknown role ${mode.name}`);
  }

  if (v.id !== undefined && !(await sudo()))
    throw new PermissionDeniedError('root or sudo privileges required to specify token id');
  let noParent = mode.kind === 'orphan' || (role?.orphan ?? false);
  if (mode.kind === 'create' && v.no_parent) {
    if (!(await sudo()))
      throw new PermissionDeniedError('root or sudo privileges required to create orphan token');
    noParent = true;
  }
  let period = v.period ?? 0;
  if (role && role.tokenPeriod > 0) period = role.tokenPeriod;
  else if (period > 0 && !(await sudo()))
    throw new PermissionDeniedError('root or sudo privileges required to create periodic token');
  let explicitMaxTTL = v.explicit_max_ttl ?? 0;
  if (
    role &&
    role.tokenExplicitMaxTTL > 0 &&
    (explicitMaxTTL === 0 || explicitMaxTTL > role.tokenExplicitMaxTTL)
  )
    explicitMaxTTL = role.tokenExplicitMaxTTL;
  let numUses = v.num_uses ?? 0;
  if (role && role.tokenNumUses > 0 && (numUses === 0 || numUses > role.tokenNumUses))
    numUses = role.tokenNumUses;

  const params: CreateTokenParams = {
    ttl: v.ttl || v.lease || role?.tokenTTL || 0,
    maxTTL: role?.tokenMaxTTL ?? 0,
    explicitMaxTTL,
    period,
    numUses,
    noParent,
    type: tokenType(v.type, role),
    renewable: (v.renewable ?? true) && (role?.renewable ?? true),
    displayName: displayName(v.display_name),
    meta: stringMeta(v.meta),
    path: tokenPath(mode, role),
    ...(v.id === undefined ? {} : { id: v.id }),
  };

  if (role) {
    const noDefault =
      (v.no_default_policy ?? false) ||
      role.tokenNoDefaultPolicy ||
      matchesAny('default', role.disallowedPolicies, role.disallowedPoliciesGlob);
    const allowed = role.allowedPolicies.length > 0 || role.allowedPoliciesGlob.length > 0;
    let requested = v.policies && v.policies.length > 0 ? v.policies : undefined;
    if (!requested)
      requested = allowed
        ? role.allowedPolicies
        : caller.policies.filter((p) => !matchesAny(p, role.disallowedPolicies, role.disallowedPoliciesGlob));
    let policies = sanitizePolicies(requested, !noDefault);
    if (noDefault) policies = policies.filter((p) => p !== 'default');
    if (allowed) {
      const outside = policies.filter(
        (p) => p !== 'default' && !matchesAny(p, role.allowedPolicies, role.allowedPoliciesGlob),
      );
      if (outside.length > 0)
        throw new BadRequestError(
          `token policies (${JSON.stringify(policies)}) must be subset of the role's allowed policies (${JSON.stringify(role.allowedPolicies)}) or glob policies (${JSON.stringify(role.allowedPoliciesGlob)})`,
        );
    } else {
      checkSubset(policies, caller.policies);
    }
    for (const p of policies) {
      if (matchesAny(p, role.disallowedPolicies, role.disallowedPoliciesGlob))
        throw new BadRequestError(`token policy "${p}" is disallowed by this role`);
    }
    params.policies = policies;
    params.noDefaultPolicy = noDefault;
    params.policiesFromRole = true;
    params.role = role.name;
    params.boundCIDRs = role.tokenBoundCIDRs;
  } else {
    if (v.policies !== undefined && v.policies.length > 0)
      params.policies = sanitizePolicies(v.policies, false);
    params.noDefaultPolicy = v.no_default_policy ?? false;
  }

  if (v.entity_alias !== undefined && v.entity_alias !== '') {
    if (!role) throw new BadRequestError("'entity_alias' is only allowed in combination with token role");
    if (
      !matchesAny(
        v.entity_alias,
        role.allowedEntityAliases,
        role.allowedEntityAliases.filter((a) => a.includes('*')),
      )
    )
      throw new BadRequestError("invalid 'entity_alias' value");
    if (!deps.resolveEntityAlias) throw new BadRequestError('entity aliases are not supported');
    params.entityId = await deps.resolveEntityAlias(v.entity_alias, role, ctx.req);
  }

  // Internal policies (response-wrapping, control-group) are attached by core, never asked for.
  checkAssignable(params.policies ?? caller.policies);
  const { id, entry, warnings } = await deps.store.create(params, caller);
  return {
    status: 200,
    envelope: { auth: authBlock(entry, id) },
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

function tokenPath(mode: Mode, role: TokenRole | undefined): string {
  if (mode.kind === 'orphan') return 'auth/token/create-orphan';
  if (mode.kind === 'create' || !role) return 'auth/token/create';
  return role.pathSuffix
    ? `auth/token/create/${role.name}/${role.pathSuffix}`
    : `auth/token/create/${role.name}`;
}

export function createPaths(deps: TokenPathDeps) {
  return [
    definePath({
      pattern: 'create',
      fields: createFields,
      operations: { update: (ctx, v) => createToken(ctx, v, { kind: 'create' }, deps) },
      help: {
        synopsis: 'Create a token as a child of the calling token',
        description:
          "Creates a token whose policies are a subset of the caller's (unless the caller is root). " +
          'no_parent, id and period need root or sudo.',
      },
    }),
    definePath({
      pattern: 'create-orphan',
      fields: createFields,
      operations: { update: (ctx, v) => createToken(ctx, v, { kind: 'orphan' }, deps) },
      help: {
        synopsis: 'Create a token without a parent',
        description: 'Like create, but the token is an orphan: revoking the caller does not revoke it.',
      },
    }),
    definePath({
      pattern: 'create/:role_name',
      fields: { role_name: f.name({ description: 'Name of the token role', in: 'path' }), ...createFields },
      operations: {
        update: (ctx, { role_name, ...v }) => createToken(ctx, v, { kind: 'role', name: role_name! }, deps),
      },
      help: {
        synopsis: 'Create a token from a token role',
        description: "The role's allowed and disallowed policies, TTLs, period, orphan and type rules apply.",
      },
    }),
  ];
}
