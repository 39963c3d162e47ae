import { type AuthResult, BadRequestError, type FieldValues, f } from '../../sdk/index.ts';
import { parseCidrList } from './cidr.ts';

/**
 * The token settings every role / user of an auth method carries (Vault's `tokenutil` set):
 * field specs, the stored shape, the merge for writes, the read shape and the AuthResult.
 */
export type TokenType = 'service' | 'batch' | 'default' | 'default-service' | 'default-batch';
export const TOKEN_TYPES: readonly TokenType[] = [
  'service',
  'batch',
  'default',
  'default-service',
  'default-batch',
];

/** Stored with a user / role. Durations in seconds. */
export interface TokenConfig {
  token_ttl: number;
  token_max_ttl: number;
  token_explicit_max_ttl: number;
  token_period: number;
  token_policies: string[];
  token_bound_cidrs: string[];
  token_no_default_policy: boolean;
  token_num_uses: number;
  token_type: TokenType;
  /** Legacy names (`policies`, `ttl`, ...) the values were last written under: read shows them too. */
  legacy?: string[];
}

export function defaultTokenConfig(): TokenConfig {
  return {
    token_ttl: 0,
    token_max_ttl: 0,
    token_explicit_max_ttl: 0,
    token_period: 0,
    token_policies: [],
    token_bound_cidrs: [],
    token_no_default_policy: false,
    token_num_uses: 0,
    token_type: 'default',
  };
}

/** The token_* fields plus the legacy `policies`. No defaults: an absent field keeps its value. */
export const tokenFields = {
  token_ttl: f.duration({ description: 'The initial TTL of tokens issued at login (0 = mount default)' }),
  token_max_ttl: f.duration({ description: 'The maximum lifetime of tokens issued at login' }),
  token_explicit_max_ttl: f.duration({
    description: 'A hard maximum TTL of issued tokens that renewals cannot pass (0 = none)',
  }),
  token_period: f.duration({ description: 'If set, issued tokens are periodic with this renewal period' }),
  token_policies: f.commaList({ description: 'Policies of issued tokens (list or comma-separated)' }),
  policies: f.commaList({ description: 'Use "token_policies" instead (legacy)' }),
  token_bound_cidrs: f.commaList({ description: 'CIDR blocks issued tokens may be used from' }),
  token_no_default_policy: f.bool({ description: 'Do not add the "default" policy to issued tokens' }),
  token_num_uses: f.int({ description: 'Uses of an issued token (0 = unlimited)', min: 0 }),
  token_type: f.string({
    description: 'Type of issued tokens: service, batch, default, default-service or default-batch',
    allowed: TOKEN_TYPES,
  }),
};

/** Legacy fields some methods still accept: userpass `ttl`/`max_ttl`/`bound_cidrs`, approle `period`. */
export const legacyTokenFields = {
  ttl: f.duration({ description: 'Use "token_ttl" instead (legacy)' }),
  max_ttl: f.duration({ description: 'Use "token_max_ttl" instead (legacy)' }),
  bound_cidrs: f.commaList({ description: 'Use "token_bound_cidrs" instead (legacy)' }),
  period: f.duration({ description: 'Use "token_period" instead (legacy)' }),
};

type TokenValues = Partial<FieldValues<typeof tokenFields> & FieldValues<typeof legacyTokenFields>>;

const LEGACY: ReadonlyArray<readonly [keyof typeof legacyTokenFields | 'policies', keyof TokenConfig]> = [
  ['policies', 'token_policies'],
  ['ttl', 'token_ttl'],
  ['max_ttl', 'token_max_ttl'],
  ['bound_cidrs', 'token_bound_cidrs'],
  ['period', 'token_period'],
];

/** Vault's policy list rules: trimmed, lower-cased, no empties, no duplicates, sorted. */
export function normalizePolicies(list: readonly string[]): string[] {
  return [...new Set(list.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''))].sort();
}

/**
 * Merges the token fields given in a write into `current` (a new user / role: the defaults).
 * Only fields present change. A token_* field wins over its legacy name when both are sent.
 */
export function mergeTokenFields(current: TokenConfig | undefined, values: TokenValues): TokenConfig {
  const out: TokenConfig = { ...defaultTokenConfig(), ...structuredClone(current ?? {}) };
  const legacy = new Set(out.legacy ?? []);
  const set = (key: keyof TokenConfig, value: unknown) => {
    (out as unknown as Record<string, unknown>)[key] = value;
  };
  const normalize = (key: keyof TokenConfig, value: unknown, from: string): unknown => {
    if (key === 'token_policies') return normalizePolicies(value as string[]);
    if (key === 'token_bound_cidrs') return parseCidrList(from, value as string[]);
    return value;
  };
  for (const [old, key] of LEGACY) {
    const v = values as Record<string, unknown>;
    if (v[key] !== undefined) {
      set(key, normalize(key, v[key], key));
      legacy.delete(old);
    } else if (v[old] !== undefined) {
      set(key, normalize(key, v[old], old));
      legacy.add(old);
    }
  }
  if (values.token_explicit_max_ttl !== undefined) out.token_explicit_max_ttl = values.token_explicit_max_ttl;
  if (values.token_no_default_policy !== undefined)
    out.token_no_default_policy = values.token_no_default_policy;
  if (values.token_num_uses !== undefined) out.token_num_uses = values.token_num_uses;
  if (values.token_type !== undefined) out.token_type = values.token_type as TokenType;
  if (legacy.size > 0) out.legacy = [...legacy].sort();
  else delete out.legacy;
  checkTokenConfig(out);
  return out;
}

/** The cross-field rules Vault enforces on a write. */
export function checkTokenConfig(c: TokenConfig): void {
  if (c.token_max_ttl > 0 && c.token_ttl > c.token_max_ttl) {
    throw new BadRequestError('"token_ttl" cannot be greater than "token_max_ttl"');
  }
  if (c.token_type === 'batch' || c.token_type === 'default-batch') {
    if (c.token_period > 0) {
      throw new BadRequestError('"token_type" cannot be "batch" or "default-batch" for periodic tokens');
    }
    if (c.token_num_uses > 0) {
      throw new BadRequestError(
        '"token_type" cannot be "batch" or "default-batch" for tokens with a use limit',
      );
    }
  }
}

/** The read shape (durations as whole seconds), plus each legacy name the values were written under. */
export function tokenFieldsJSON(c: TokenConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    token_bound_cidrs: [...c.token_bound_cidrs],
    token_explicit_max_ttl: c.token_explicit_max_ttl,
    token_max_ttl: c.token_max_ttl,
    token_no_default_policy: c.token_no_default_policy,
    token_num_uses: c.token_num_uses,
    token_period: c.token_period,
    token_policies: [...c.token_policies],
    token_ttl: c.token_ttl,
    token_type: c.token_type,
  };
  for (const [old, key] of LEGACY) {
    if (c.legacy?.includes(old)) out[old] = structuredClone(c[key]);
  }
  return out;
}

/** What a login hands core (see AuthResult in src/sdk/request.ts). */
export function toAuthResult(
  c: TokenConfig,
  login: {
    displayName: string;
    alias: { name: string; metadata?: Record<string, string> };
    metadata?: Record<string, string>;
    internalData?: Record<string, unknown>;
    /** Overrides the configured token_bound_cidrs (AppRole: the secret id's). */
    boundCIDRs?: string[];
  },
): AuthResult {
  const cidrs = login.boundCIDRs ?? c.token_bound_cidrs;
  const out: AuthResult = {
    policies: [...c.token_policies],
    displayName: login.displayName,
    alias: structuredClone(login.alias),
    ttl: c.token_ttl,
    maxTTL: c.token_max_ttl,
    explicitMaxTTL: c.token_explicit_max_ttl,
    period: c.token_period,
    numUses: c.token_num_uses,
    renewable: true,
    tokenType: c.token_type,
    noDefaultPolicy: c.token_no_default_policy,
  };
  if (cidrs.length > 0) out.boundCIDRs = [...cidrs];
  if (login.metadata) out.metadata = { ...login.metadata };
  if (login.internalData) out.internalData = structuredClone(login.internalData);
  return out;
}
