/**
 * The identity records as the store keeps them. Times are ISO-8601 strings (UTC). Records handed
 * out by the store are copies: mutating them changes nothing.
 */

/** One login identity of an entity: a name unique per auth mount (a username, a role id). */
export interface Alias {
  id: string;
  /** The entity this alias belongs to. */
  canonical_id: string;
  mount_accessor: string;
  mount_type: string;
  /** Where the auth mount was when the alias was made (the paths show the live one). */
  mount_path: string;
  name: string;
  /** Set by the auth method at login. */
  metadata: Record<string, string>;
  /** Set by operators through `entity-alias`. */
  custom_metadata: Record<string, string>;
  creation_time: string;
  last_update_time: string;
}

export interface Entity {
  id: string;
  /** Unique, compared case-insensitively. */
  name: string;
  metadata: Record<string, string>;
  policies: string[];
  disabled: boolean;
  aliases: Alias[];
  /** Entities merged into this one (their ids still resolve to it). */
  merged_entity_ids: string[];
  creation_time: string;
  last_update_time: string;
}

export interface Group {
  id: string;
  /** Unique, compared case-insensitively. */
  name: string;
  type: 'internal';
  policies: string[];
  member_entity_ids: string[];
  member_group_ids: string[];
  /** Derived: the groups that list this one in `member_group_ids` (never stored). */
  parent_group_ids: string[];
  metadata: Record<string, string>;
  creation_time: string;
  last_update_time: string;
  modify_index: number;
}

/** What changed, for listeners (ACL caches, token revocation of deleted entities). */
export interface IdentityChange {
  kind: 'entity' | 'group' | 'alias';
  op: 'upsert' | 'delete';
  ids: string[];
}

/** The identity a login resolves to. */
export interface AliasInput {
  mountAccessor: string;
  mountType: string;
  mountPath: string;
  name: string;
  metadata?: Record<string, string>;
}

/** Fields of an entity write: absent fields keep their value on update. */
export interface EntityInput {
  id?: string;
  name?: string;
  metadata?: Record<string, string>;
  policies?: string[];
  disabled?: boolean;
}

export interface AliasWriteInput {
  /** Update this alias (else create, or update the alias with the same mount and name). */
  id?: string;
  name?: string;
  /** The mount the alias belongs to, resolved by the caller (type and path come with it). */
  mount?: { accessor: string; type: string; path: string };
  /** The entity to attach the alias to; on create without it a new entity is made. */
  canonicalId?: string;
  customMetadata?: Record<string, string>;
}

export interface GroupInput {
  id?: string;
  name?: string;
  type?: string;
  policies?: string[];
  member_entity_ids?: string[];
  member_group_ids?: string[];
  metadata?: Record<string, string>;
}

export interface PoliciesForEntity {
  entityPolicies: string[];
  groupPolicies: string[];
  /** Direct groups, then inherited (ancestor) groups. */
  groups: Array<{ id: string; name: string }>;
}

/** What policy templating sees of an identity. */
export interface TemplateIdentity {
  entity: {
    id: string;
    name: string;
    metadata: Record<string, string>;
    aliases: Array<{
      id: string;
      mountAccessor: string;
      name: string;
      metadata: Record<string, string>;
      customMetadata: Record<string, string>;
    }>;
  };
  groups: Array<{ id: string; name: string; metadata: Record<string, string> }>;
}
