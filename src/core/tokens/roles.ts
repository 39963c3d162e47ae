import type { StorageView } from '../../sdk/storage-view.ts';

/** `token_type` of a role: a fixed type, or a default the request may override. */
export type RoleTokenType = 'service' | 'batch' | 'default-service' | 'default-batch';

/** A token role (`auth/token/roles/:role_name`), with Vault's fields. Durations in seconds. */
export interface TokenRole {
  name: string;
  allowedPolicies: string[];
  disallowedPolicies: string[];
  allowedPoliciesGlob: string[];
  disallowedPoliciesGlob: string[];
  allowedEntityAliases: string[];
  orphan: boolean;
  renewable: boolean;
  pathSuffix: string;
  tokenBoundCIDRs: string[];
  tokenExplicitMaxTTL: number;
  tokenNoDefaultPolicy: boolean;
  tokenNumUses: number;
  tokenPeriod: number;
  tokenType: RoleTokenType;
  tokenTTL: number;
  tokenMaxTTL: number;
}

export function newRole(name: string): TokenRole {
  return {
    name,
    allowedPolicies: [],
    disallowedPolicies: [],
    allowedPoliciesGlob: [],
    disallowedPoliciesGlob: [],
    allowedEntityAliases: [],
    orphan: false,
    renewable: true,
    pathSuffix: '',
    tokenBoundCIDRs: [],
    tokenExplicitMaxTTL: 0,
    tokenNoDefaultPolicy: false,
    tokenNumUses: 0,
    tokenPeriod: 0,
    tokenType: 'default-service',
    tokenTTL: 0,
    tokenMaxTTL: 0,
  };
}

/** Vault's read shape (the legacy `period`, `explicit_max_ttl`, `bound_cidrs` mirror the token_ ones). */
export function roleJSON(r: TokenRole): Record<string, unknown> {
  return {
    allowed_entity_aliases: [...r.allowedEntityAliases],
    allowed_policies: [...r.allowedPolicies],
    allowed_policies_glob: [...r.allowedPoliciesGlob],
    disallowed_policies: [...r.disallowedPolicies],
    disallowed_policies_glob: [...r.disallowedPoliciesGlob],
    explicit_max_ttl: r.tokenExplicitMaxTTL,
    name: r.name,
    orphan: r.orphan,
    path_suffix: r.pathSuffix,
    period: r.tokenPeriod,
    renewable: r.renewable,
    token_bound_cidrs: [...r.tokenBoundCIDRs],
    token_explicit_max_ttl: r.tokenExplicitMaxTTL,
    token_max_ttl: r.tokenMaxTTL,
    token_no_default_policy: r.tokenNoDefaultPolicy,
    token_num_uses: r.tokenNumUses,
    token_period: r.tokenPeriod,
    token_ttl: r.tokenTTL,
    token_type: r.tokenType,
  };
}

/** Roles live beside the tokens, under `roles/` of the token store's view. */
export class RoleStore {
  readonly #storage: StorageView;

  constructor(storage: StorageView) {
    this.#storage = storage;
  }

  async get(name: string): Promise<TokenRole | undefined> {
    const raw = await this.#storage.getJSON<TokenRole>(name);
    return raw === undefined ? undefined : { ...newRole(name), ...raw, name };
  }

  put(role: TokenRole): Promise<void> {
    return this.#storage.putJSON(role.name, role);
  }

  delete(name: string): Promise<void> {
    return this.#storage.delete(name);
  }

  async list(): Promise<string[]> {
    return (await this.#storage.list('')).filter((k) => !k.endsWith('/'));
  }
}
