import type { IdentityStore } from './store.ts';
import type { Alias, Entity, Group } from './types.ts';

/** Where an auth mount is now, by accessor (aliases show the live mount path, as Vault does). */
export type MountLookup = (accessor: string) => { type: string; path: string } | undefined;

/** Go's RFC 3339 with nanoseconds: trailing zeros of the fraction dropped. */
export function goTime(iso: string): string {
  return iso.replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

/** Go prints an empty map as null. */
const mapOrNull = (m: Record<string, string>) => (Object.keys(m).length > 0 ? { ...m } : null);

export function aliasJSON(a: Alias, mounts: MountLookup, withNamespace = true): Record<string, unknown> {
  const mount = mounts(a.mount_accessor);
  return {
    id: a.id,
    canonical_id: a.canonical_id,
    mount_accessor: a.mount_accessor,
    mount_path: mount?.path ?? a.mount_path,
    mount_type: mount?.type ?? a.mount_type,
    name: a.name,
    metadata: mapOrNull(a.metadata),
    custom_metadata: { ...a.custom_metadata },
    creation_time: goTime(a.creation_time),
    last_update_time: goTime(a.last_update_time),
    merged_from_canonical_ids: null,
    local: false,
    ...(withNamespace ? { namespace_id: 'root' } : {}),
  };
}

/** The body of an entity read (`entity/id/:id`, `entity/name/:name`, `lookup/entity`). */
export function entityJSON(e: Entity, store: IdentityStore, mounts: MountLookup): Record<string, unknown> {
  const { direct, inherited } = store.groupIdsOf(e.id);
  return {
    id: e.id,
    name: e.name,
    metadata: mapOrNull(e.metadata),
    policies: e.policies.length > 0 ? [...e.policies] : null,
    disabled: e.disabled,
    aliases: e.aliases.map((a) => aliasJSON(a, mounts, false)),
    direct_group_ids: direct,
    group_ids: [...direct, ...inherited],
    inherited_group_ids: inherited,
    creation_time: goTime(e.creation_time),
    last_update_time: goTime(e.last_update_time),
    merged_entity_ids: e.merged_entity_ids.length > 0 ? [...e.merged_entity_ids] : null,
    namespace_id: 'root',
    mfa_secrets: {},
  };
}

/** `key_info` of an entity in a list. */
export function entityInfo(e: Entity, mounts: MountLookup): Record<string, unknown> {
  return {
    name: e.name,
    disabled: e.disabled,
    creation_time: goTime(e.creation_time),
    last_update_time: goTime(e.last_update_time),
    aliases: e.aliases.map((a) => ({
      id: a.id,
      name: a.name,
      mount_accessor: a.mount_accessor,
      mount_path: mounts(a.mount_accessor)?.path ?? a.mount_path,
      mount_type: a.mount_type,
      creation_time: goTime(a.creation_time),
      last_update_time: goTime(a.last_update_time),
    })),
  };
}

/** The body of a group read. */
export function groupJSON(g: Group): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    type: g.type,
    policies: g.policies.length > 0 ? [...g.policies] : null,
    member_entity_ids: [...g.member_entity_ids],
    member_group_ids: g.member_group_ids.length > 0 ? [...g.member_group_ids] : null,
    parent_group_ids: g.parent_group_ids.length > 0 ? [...g.parent_group_ids] : null,
    metadata: mapOrNull(g.metadata),
    creation_time: goTime(g.creation_time),
    last_update_time: goTime(g.last_update_time),
    modify_index: g.modify_index,
    alias: {},
    namespace_id: 'root',
  };
}

export function groupInfo(g: Group): Record<string, unknown> {
  return {
    name: g.name,
    num_member_entities: g.member_entity_ids.length,
    num_parent_groups: g.parent_group_ids.length,
  };
}
