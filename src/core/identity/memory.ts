import { ancestors } from './graph.ts';
import type { Alias, Entity, Group } from './types.ts';

/** A group as stored: `parent_group_ids` is derived from the other groups' member lists. */
export type GroupRecord = Omit<Group, 'parent_group_ids'>;

export const NO_GROUPS: ReadonlySet<string> = new Set();
/** Names of entities, groups and aliases compare case-insensitively (Vault's default). */
export const fold = (name: string) => name.toLowerCase();
const factorKey = (accessor: string, name: string) => `${accessor}\u0000${fold(name)}`;

/**
 * The identity store's memory: the records and the indexes a request needs (name → id, alias
 * mount+name → alias, alias → entity, merged id → entity, entity → groups, group → parents). The
 * store mutates it only through `set*` / `remove*`, after the write is stored.
 */
export class IdentityIndex {
  readonly entities = new Map<string, Entity>();
  readonly entityByName = new Map<string, string>();
  readonly mergedInto = new Map<string, string>();
  readonly aliasOwner = new Map<string, string>();
  readonly aliasByFactors = new Map<string, string>();
  readonly groups = new Map<string, GroupRecord>();
  readonly groupByName = new Map<string, string>();
  /** entity id → ids of the groups listing it in member_entity_ids. */
  readonly entityGroups = new Map<string, Set<string>>();
  /** group id → ids of the groups listing it in member_group_ids. */
  readonly groupParents = new Map<string, Set<string>>();

  entityNamed(name: string): Entity | undefined {
    const id = this.entityByName.get(fold(name));
    return id === undefined ? undefined : this.entities.get(id);
  }

  groupNamed(name: string): GroupRecord | undefined {
    const id = this.groupByName.get(fold(name));
    return id === undefined ? undefined : this.groups.get(id);
  }

  aliasIdByFactors(accessor: string, name: string): string | undefined {
    return this.aliasByFactors.get(factorKey(accessor, name));
  }

  resolveId(id: string): string {
    return this.entities.has(id) ? id : (this.mergedInto.get(id) ?? id);
  }

  findAlias(accessor: string, name: string): { entity: Entity; alias: Alias } | undefined {
    const aliasId = this.aliasByFactors.get(factorKey(accessor, name));
    if (aliasId === undefined) return undefined;
    const entity = this.entities.get(this.aliasOwner.get(aliasId) ?? '');
    const alias = entity?.aliases.find((a) => a.id === aliasId);
    return entity && alias ? { entity, alias } : undefined;
  }

  groupIdsOf(entityId: string): { direct: string[]; inherited: string[] } {
    const direct = [...(this.entityGroups.get(entityId) ?? NO_GROUPS)].sort();
    const inherited = ancestors(direct, (g) => this.groupParents.get(g) ?? NO_GROUPS);
    return { direct, inherited };
  }

  groupOut(g: GroupRecord): Group {
    return {
      ...structuredClone(g),
      parent_group_ids: [...(this.groupParents.get(g.id) ?? NO_GROUPS)].sort(),
    };
  }

  setEntity(e: Entity): void {
    this.removeEntity(e.id, true);
    this.entities.set(e.id, e);
    this.entityByName.set(fold(e.name), e.id);
    for (const a of e.aliases) {
      this.aliasOwner.set(a.id, e.id);
      this.aliasByFactors.set(factorKey(a.mount_accessor, a.name), a.id);
    }
    for (const m of e.merged_entity_ids) this.mergedInto.set(m, e.id);
  }

  /** `keepMemberships`: the entity is being replaced, not deleted. */
  removeEntity(id: string, keepMemberships = false): void {
    const e = this.entities.get(id);
    if (!e) return;
    this.entities.delete(id);
    if (this.entityByName.get(fold(e.name)) === id) this.entityByName.delete(fold(e.name));
    for (const a of e.aliases) {
      if (this.aliasOwner.get(a.id) === id) this.aliasOwner.delete(a.id);
      const key = factorKey(a.mount_accessor, a.name);
      if (this.aliasByFactors.get(key) === a.id) this.aliasByFactors.delete(key);
    }
    for (const m of e.merged_entity_ids) if (this.mergedInto.get(m) === id) this.mergedInto.delete(m);
    if (!keepMemberships) this.entityGroups.delete(id);
  }

  setGroup(g: GroupRecord): void {
    this.removeGroup(g.id);
    this.groups.set(g.id, g);
    this.groupByName.set(fold(g.name), g.id);
    for (const m of g.member_entity_ids) this.#setAdd(this.entityGroups, m, g.id);
    for (const c of g.member_group_ids) this.#setAdd(this.groupParents, c, g.id);
  }

  removeGroup(id: string): void {
    const g = this.groups.get(id);
    if (!g) return;
    this.groups.delete(id);
    if (this.groupByName.get(fold(g.name)) === id) this.groupByName.delete(fold(g.name));
    for (const m of g.member_entity_ids) this.entityGroups.get(m)?.delete(id);
    for (const c of g.member_group_ids) this.groupParents.get(c)?.delete(id);
  }

  #setAdd(map: Map<string, Set<string>>, key: string, value: string): void {
    const set = map.get(key);
    if (set) set.add(value);
    else map.set(key, new Set([value]));
  }
}
