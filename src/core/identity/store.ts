import { randomUUID } from 'node:crypto';
import { BadRequestError, InternalError } from '../../sdk/errors.ts';
import type { StorageView } from '../../sdk/storage-view.ts';
import type { StorageOp } from '../../storage/storage.ts';
import { closesCycle } from './graph.ts';
import { fold, type GroupRecord, IdentityIndex, NO_GROUPS } from './memory.ts';
import type {
  Alias,
  AliasInput,
  AliasWriteInput,
  Entity,
  EntityInput,
  Group,
  GroupInput,
  IdentityChange,
  PoliciesForEntity,
  TemplateIdentity,
} from './types.ts';

export interface IdentityStoreDeps {
  /** The identity store's own (barrier-encrypted) view. Keys: `entity/<id>`, `group/<id>`. */
  storage: StorageView;
  now(): Date;
  /** Id generator (tests make it deterministic); default `crypto.randomUUID`. */
  uuid?(): string;
}

const ENTITY = 'entity/';
const GROUP = 'group/';

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

function checkName(name: string, what: string): string {
  if (name.trim() === '' || name.length > 512 || /[/\u0000-\u001f\u007f]/.test(name)) {
    throw new BadRequestError(`invalid ${what} name`);
  }
  return name;
}

/** Trimmed, deduplicated and sorted, as Vault keeps them; `root` can't be granted this way. */
export function normalizePolicies(list: readonly string[]): string[] {
  const out = [...new Set(list.map((p) => p.trim()).filter((p) => p !== ''))].sort();
  if (out.includes('root')) throw new BadRequestError('policies cannot contain root');
  return out;
}

/**
 * Entities, their aliases and internal groups. Everything is held in memory (loaded at unseal)
 * with the indexes a request needs — alias → entity, entity → groups, group → parents — so
 * `policiesFor` and `isDisabled` cost no storage read. Writes are serialized, written in one
 * storage batch, then applied to memory and announced to listeners.
 */
export class IdentityStore {
  readonly #storage: StorageView;
  readonly #now: () => Date;
  readonly #uuid: () => string;
  #loaded = false;
  #generation = 0;
  #mem = new IdentityIndex();
  #policyCache = new Map<string, PoliciesForEntity>();
  readonly #listeners = new Set<(change: IdentityChange) => void>();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(deps: IdentityStoreDeps) {
    this.#storage = deps.storage;
    this.#now = deps.now;
    this.#uuid = deps.uuid ?? randomUUID;
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Reads every entity and group into memory (at unseal). */
  async load(): Promise<void> {
    this.#reset();
    const read = async <T>(prefix: string): Promise<T[]> => {
      const keys = (await this.#storage.list(prefix)).filter((k) => !k.endsWith('/'));
      const out: T[] = [];
      for (let i = 0; i < keys.length; i += 64) {
        const chunk = await Promise.all(
          keys.slice(i, i + 64).map((k) => this.#storage.getJSON<T>(prefix + k)),
        );
        for (const v of chunk) if (v !== undefined) out.push(v);
      }
      return out;
    };
    for (const e of await read<Entity>(ENTITY)) this.#mem.setEntity(e);
    for (const g of await read<GroupRecord>(GROUP)) this.#mem.setGroup(g);
    this.#loaded = true;
  }

  /** Forgets everything in memory (at seal). */
  unload(): void {
    this.#reset();
    this.#loaded = false;
  }

  /** Calls `cb` after every committed change. Returns the unsubscribe function. */
  onChange(cb: (change: IdentityChange) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  // ---- what requests need ---------------------------------------------------------------------

  /**
   * The entity of a login: the alias's entity, or a new entity with this alias. Serialized, so two
   * concurrent first logins make one entity. Updates the alias's metadata when it changed.
   */
  async resolveAlias(input: AliasInput): Promise<Entity> {
    this.#ready();
    if (input.name === '') throw new BadRequestError('missing alias name');
    const fresh = this.#mem.findAlias(input.mountAccessor, input.name);
    if (fresh && (input.metadata === undefined || sameMap(fresh.alias.metadata, input.metadata))) {
      return structuredClone(fresh.entity);
    }
    return this.#serial(async () => {
      const now = this.#time();
      const found = this.#mem.findAlias(input.mountAccessor, input.name);
      if (found) {
        if (input.metadata === undefined || sameMap(found.alias.metadata, input.metadata)) {
          return structuredClone(found.entity);
        }
        const entity = structuredClone(found.entity);
        const alias = entity.aliases.find((a) => a.id === found.alias.id)!;
        alias.metadata = { ...input.metadata };
        alias.last_update_time = now;
        await this.#commit({ entities: [entity] }, [{ kind: 'alias', op: 'upsert', ids: [alias.id] }]);
        return structuredClone(entity);
      }
      const entity = this.#newEntity(now);
      entity.aliases.push({
        id: this.#uuid(),
        canonical_id: entity.id,
        mount_accessor: input.mountAccessor,
        mount_type: input.mountType,
        mount_path: input.mountPath,
        name: input.name,
        metadata: { ...(input.metadata ?? {}) },
        custom_metadata: {},
        creation_time: now,
        last_update_time: now,
      });
      await this.#commit({ entities: [entity] }, [
        { kind: 'entity', op: 'upsert', ids: [entity.id] },
        { kind: 'alias', op: 'upsert', ids: [entity.aliases[0]!.id] },
      ]);
      return structuredClone(entity);
    });
  }

  /** Policies of an entity and of its groups (direct and ancestors). Served from memory. */
  async policiesFor(entityId: string): Promise<PoliciesForEntity> {
    this.#ready();
    const id = this.#mem.resolveId(entityId);
    let hit = this.#policyCache.get(id);
    if (!hit) {
      const entity = this.#mem.entities.get(id);
      const { direct, inherited } = this.#mem.groupIdsOf(id);
      const groups = [...direct, ...inherited].map((g) => this.#mem.groups.get(g)!);
      hit = {
        entityPolicies: entity ? entity.policies : [],
        groupPolicies: [...new Set(groups.flatMap((g) => g.policies))].sort(),
        groups: groups.map((g) => ({ id: g.id, name: g.name })),
      };
      if (entity) this.#policyCache.set(id, hit);
    }
    return {
      entityPolicies: [...hit.entityPolicies],
      groupPolicies: [...hit.groupPolicies],
      groups: hit.groups.map((g) => ({ ...g })),
    };
  }

  /** True when the entity is disabled (its tokens must not work). Unknown ids are not disabled. */
  isDisabled(entityId: string): boolean {
    return this.#mem.entities.get(this.#mem.resolveId(entityId))?.disabled === true;
  }

  /** What policy templates may use (`identity.entity.*`, `identity.groups.*`). */
  templateIdentity(entityId: string): TemplateIdentity | undefined {
    const entity = this.#mem.entities.get(this.#mem.resolveId(entityId));
    if (!entity) return undefined;
    const { direct, inherited } = this.#mem.groupIdsOf(entity.id);
    return {
      entity: {
        id: entity.id,
        name: entity.name,
        metadata: { ...entity.metadata },
        aliases: entity.aliases.map((a) => ({
          id: a.id,
          mountAccessor: a.mount_accessor,
          name: a.name,
          metadata: { ...a.metadata },
          customMetadata: { ...a.custom_metadata },
        })),
      },
      groups: [...direct, ...inherited].map((id) => {
        const g = this.#mem.groups.get(id)!;
        return { id: g.id, name: g.name, metadata: { ...g.metadata } };
      }),
    };
  }

  // ---- reads ----------------------------------------------------------------------------------

  /** By id, or by the id of an entity merged into it. */
  entity(id: string): Entity | undefined {
    const e = this.#mem.entities.get(this.#mem.resolveId(id));
    return e && structuredClone(e);
  }
  entityByName(name: string): Entity | undefined {
    const e = this.#mem.entityNamed(name);
    return e && structuredClone(e);
  }
  /** Every entity, by id. */
  entities(): Entity[] {
    return [...this.#mem.entities.keys()].sort().map((id) => structuredClone(this.#mem.entities.get(id)!));
  }
  alias(id: string): Alias | undefined {
    const owner = this.#mem.aliasOwner.get(id);
    const a =
      owner === undefined ? undefined : this.#mem.entities.get(owner)?.aliases.find((x) => x.id === id);
    return a && structuredClone(a);
  }
  aliasByFactors(mountAccessor: string, name: string): Alias | undefined {
    const found = this.#mem.findAlias(mountAccessor, name);
    return found && structuredClone(found.alias);
  }
  aliases(): Alias[] {
    return [...this.#mem.aliasOwner.keys()].sort().map((id) => this.alias(id)!);
  }
  group(id: string): Group | undefined {
    const g = this.#mem.groups.get(id);
    return g && this.#mem.groupOut(g);
  }
  groupByName(name: string): Group | undefined {
    const g = this.#mem.groupNamed(name);
    return g && this.#mem.groupOut(g);
  }
  groups(): Group[] {
    return [...this.#mem.groups.keys()].sort().map((id) => this.#mem.groupOut(this.#mem.groups.get(id)!));
  }
  /** The groups an entity is a member of, and their ancestors (not already direct). */
  groupIdsOf(entityId: string): { direct: string[]; inherited: string[] } {
    return this.#mem.groupIdsOf(this.#mem.resolveId(entityId));
  }

  // ---- entity writes --------------------------------------------------------------------------

  /**
   * Create or update, as Vault's `identity/entity`: `id` names an existing entity (else 400);
   * otherwise an entity with `name` is updated, otherwise one is created.
   */
  async writeEntity(input: EntityInput): Promise<{ entity: Entity; created: boolean }> {
    this.#ready();
    return this.#serial(async () => {
      let current: Entity | undefined;
      if (input.id !== undefined) {
        current = this.#mem.entities.get(input.id);
        if (!current) throw new BadRequestError('entity not found from id');
      }
      if (input.name !== undefined) {
        checkName(input.name, 'entity');
        const byName = this.#mem.entityNamed(input.name);
        if (byName && !current) current = byName;
        else if (byName && byName.id !== current!.id)
          throw new BadRequestError('entity name is already in use');
      }
      const policies = input.policies === undefined ? undefined : normalizePolicies(input.policies);
      const now = this.#time();
      const entity = current ? structuredClone(current) : this.#newEntity(now, input.name);
      if (input.name !== undefined) entity.name = input.name;
      if (input.metadata !== undefined) entity.metadata = { ...input.metadata };
      if (policies !== undefined) entity.policies = policies;
      if (input.disabled !== undefined) entity.disabled = input.disabled;
      entity.last_update_time = now;
      await this.#commit({ entities: [entity] }, [{ kind: 'entity', op: 'upsert', ids: [entity.id] }]);
      return { entity: structuredClone(entity), created: !current };
    });
  }

  /** Deletes entities with their aliases and removes them from groups. Unknown ids are skipped. */
  async deleteEntities(ids: readonly string[]): Promise<string[]> {
    this.#ready();
    return this.#serial(async () => {
      const gone = [...new Set(ids)].filter((id) => this.#mem.entities.has(id));
      if (gone.length === 0) return [];
      const goneSet = new Set(gone);
      const touched = new Set(gone.flatMap((id) => [...(this.#mem.entityGroups.get(id) ?? NO_GROUPS)]));
      const now = this.#time();
      const groups = [...touched].map((gid) => {
        const g = structuredClone(this.#mem.groups.get(gid)!);
        g.member_entity_ids = g.member_entity_ids.filter((m) => !goneSet.has(m));
        return this.#touched(g, now);
      });
      await this.#commit({ deleteEntities: gone, groups }, [
        { kind: 'entity', op: 'delete', ids: gone },
        ...(groups.length ? [{ kind: 'group' as const, op: 'upsert' as const, ids: [...touched] }] : []),
      ]);
      return gone;
    });
  }

  async deleteEntity(id: string): Promise<boolean> {
    return (await this.deleteEntities([id])).length > 0;
  }

  /**
   * Moves the aliases and group memberships of `fromIds` to `toId` and deletes them; their ids
   * keep resolving to `toId`. Two aliases on one mount conflict unless `keepAliasIds` names the
   * one to keep (the other is deleted).
   */
  async mergeEntities(input: {
    fromIds: readonly string[];
    toId: string;
    keepAliasIds?: readonly string[];
  }): Promise<Entity> {
    this.#ready();
    return this.#serial(async () => {
      const to = this.#mem.entities.get(input.toId);
      if (!to) throw new BadRequestError('entity id to merge to is invalid');
      const fromIds = [...new Set(input.fromIds)];
      if (fromIds.length === 0) throw new BadRequestError('missing entity ids to merge from');
      if (fromIds.includes(to.id)) throw new BadRequestError('to_entity_id should not be in from_entity_ids');
      const froms = fromIds.map((id) => {
        const e = this.#mem.entities.get(id);
        if (!e) throw new BadRequestError(`entity id to merge from is invalid: "${id}"`);
        return e;
      });
      const keep = new Set(input.keepAliasIds ?? []);
      const now = this.#time();
      const target = structuredClone(to);
      for (const from of froms) {
        for (const a of from.aliases) {
          const clash = target.aliases.find((b) => b.mount_accessor === a.mount_accessor);
          if (clash) {
            if (keep.has(a.id) === keep.has(clash.id)) {
              throw new BadRequestError(
                `conflicting mount accessors in alias ids "${a.id}" and "${clash.id}": name one in conflicting_alias_ids_to_keep`,
              );
            }
            if (keep.has(clash.id)) continue;
            target.aliases = target.aliases.filter((b) => b.id !== clash.id);
          }
          target.aliases.push({ ...structuredClone(a), canonical_id: target.id, last_update_time: now });
        }
        target.merged_entity_ids.push(from.id, ...from.merged_entity_ids);
      }
      target.merged_entity_ids = [...new Set(target.merged_entity_ids)];
      target.last_update_time = now;
      const fromSet = new Set(fromIds);
      const touched = new Set(fromIds.flatMap((id) => [...(this.#mem.entityGroups.get(id) ?? NO_GROUPS)]));
      const groups = [...touched].map((gid) => {
        const g = structuredClone(this.#mem.groups.get(gid)!);
        const members = g.member_entity_ids.map((m) => (fromSet.has(m) ? target.id : m));
        g.member_entity_ids = [...new Set(members)];
        return this.#touched(g, now);
      });
      await this.#commit({ entities: [target], deleteEntities: fromIds, groups }, [
        { kind: 'entity', op: 'delete', ids: fromIds },
        { kind: 'entity', op: 'upsert', ids: [target.id] },
        ...(groups.length ? [{ kind: 'group' as const, op: 'upsert' as const, ids: [...touched] }] : []),
      ]);
      return structuredClone(target);
    });
  }

  // ---- alias writes ---------------------------------------------------------------------------

  /**
   * Create or update an alias (Vault's `identity/entity-alias`). Without `id`, an alias with the
   * same mount and name is updated; without `canonicalId`, a create makes a new entity. An entity
   * has at most one alias per mount.
   */
  async writeAlias(input: AliasWriteInput): Promise<{ alias: Alias; created: boolean }> {
    this.#ready();
    return this.#serial(async () => {
      let found: { entity: Entity; alias: Alias } | undefined;
      if (input.id !== undefined) {
        const owner = this.#mem.entities.get(this.#mem.aliasOwner.get(input.id) ?? '');
        if (!owner) throw new BadRequestError('invalid alias id');
        found = { entity: owner, alias: owner.aliases.find((a) => a.id === input.id)! };
      } else {
        if (input.name === undefined || input.name === '') throw new BadRequestError('missing alias name');
        if (input.mount === undefined) throw new BadRequestError('missing mount_accessor');
        found = this.#mem.findAlias(input.mount.accessor, input.name);
      }
      const name = input.name ?? found!.alias.name;
      if (name === '') throw new BadRequestError('missing alias name');
      const mount = input.mount ?? {
        accessor: found!.alias.mount_accessor,
        type: found!.alias.mount_type,
        path: found!.alias.mount_path,
      };
      const other = this.#mem.aliasIdByFactors(mount.accessor, name);
      if (other !== undefined && other !== found?.alias.id) {
        throw new BadRequestError('an alias with this mount accessor and name already exists');
      }
      const now = this.#time();
      let target: Entity;
      let newEntity = false;
      if (input.canonicalId !== undefined && input.canonicalId !== '') {
        const e = this.#mem.entities.get(input.canonicalId);
        if (!e) throw new BadRequestError('invalid canonical id');
        target = structuredClone(e);
      } else if (found) {
        target = structuredClone(found.entity);
      } else {
        target = this.#newEntity(now);
        newEntity = true;
      }
      if (target.aliases.some((a) => a.mount_accessor === mount.accessor && a.id !== found?.alias.id)) {
        throw new BadRequestError('the entity already has an alias on this mount');
      }
      const alias: Alias = {
        id: found?.alias.id ?? this.#uuid(),
        canonical_id: target.id,
        mount_accessor: mount.accessor,
        mount_type: mount.type,
        mount_path: mount.path,
        name,
        metadata: { ...(found?.alias.metadata ?? {}) },
        custom_metadata: { ...(input.customMetadata ?? found?.alias.custom_metadata ?? {}) },
        creation_time: found?.alias.creation_time ?? now,
        last_update_time: now,
      };
      const entities: Entity[] = [];
      if (found && found.entity.id !== target.id) {
        const previous = structuredClone(found.entity);
        previous.aliases = previous.aliases.filter((a) => a.id !== alias.id);
        previous.last_update_time = now;
        entities.push(previous);
      }
      const i = target.aliases.findIndex((a) => a.id === alias.id);
      if (i >= 0) target.aliases[i] = alias;
      else target.aliases.push(alias);
      target.last_update_time = now;
      entities.push(target);
      await this.#commit({ entities }, [
        ...(newEntity ? [{ kind: 'entity' as const, op: 'upsert' as const, ids: [target.id] }] : []),
        { kind: 'alias', op: 'upsert', ids: [alias.id] },
      ]);
      return { alias: structuredClone(alias), created: !found };
    });
  }

  async deleteAlias(id: string): Promise<boolean> {
    this.#ready();
    return this.#serial(async () => {
      const owner = this.#mem.entities.get(this.#mem.aliasOwner.get(id) ?? '');
      if (!owner) return false;
      const entity = structuredClone(owner);
      entity.aliases = entity.aliases.filter((a) => a.id !== id);
      entity.last_update_time = this.#time();
      await this.#commit({ entities: [entity] }, [{ kind: 'alias', op: 'delete', ids: [id] }]);
      return true;
    });
  }

  // ---- group writes ---------------------------------------------------------------------------

  /**
   * Create or update an internal group. Given lists replace the stored ones; member entities and
   * groups must exist; a member group that would close a cycle is refused (400).
   */
  async writeGroup(input: GroupInput): Promise<{ group: Group; created: boolean }> {
    this.#ready();
    return this.#serial(async () => {
      let current: GroupRecord | undefined;
      if (input.id !== undefined) {
        current = this.#mem.groups.get(input.id);
        if (!current) throw new BadRequestError('group not found from id');
      }
      if (input.name !== undefined) {
        checkName(input.name, 'group');
        const byName = this.#mem.groupNamed(input.name);
        if (byName && !current) current = byName;
        else if (byName && byName.id !== current!.id)
          throw new BadRequestError('group name is already in use');
      }
      if (input.type !== undefined && input.type !== '' && input.type !== 'internal') {
        throw new BadRequestError(
          input.type === 'external'
            ? 'external groups are not supported'
            : `invalid group type "${input.type}"`,
        );
      }
      const policies = input.policies === undefined ? undefined : normalizePolicies(input.policies);
      const now = this.#time();
      const id = current?.id ?? this.#uuid();
      const entityIds = input.member_entity_ids && [...new Set(input.member_entity_ids)];
      for (const m of entityIds ?? []) {
        if (!this.#mem.entities.has(m)) throw new BadRequestError(`member entity id "${m}" does not exist`);
      }
      const groupIds = input.member_group_ids && [...new Set(input.member_group_ids)];
      for (const m of groupIds ?? []) {
        if (m === id) throw new BadRequestError('a group cannot be a member of itself');
        if (!this.#mem.groups.has(m)) throw new BadRequestError(`member group id "${m}" does not exist`);
      }
      const cycle =
        groupIds && closesCycle(id, groupIds, (g) => this.#mem.groups.get(g)?.member_group_ids ?? []);
      if (cycle !== undefined) {
        throw new BadRequestError(`member group id "${cycle}" would make a cycle of groups`);
      }
      const group: GroupRecord = current
        ? structuredClone(current)
        : {
            id,
            name: input.name ?? this.#freeName('group', this.#mem.groupByName, id),
            type: 'internal',
            policies: [],
            member_entity_ids: [],
            member_group_ids: [],
            metadata: {},
            creation_time: now,
            last_update_time: now,
            modify_index: 0,
          };
      if (input.name !== undefined) group.name = input.name;
      if (policies !== undefined) group.policies = policies;
      if (entityIds !== undefined) group.member_entity_ids = entityIds;
      if (groupIds !== undefined) group.member_group_ids = groupIds;
      if (input.metadata !== undefined) group.metadata = { ...input.metadata };
      this.#touched(group, now);
      await this.#commit({ groups: [group] }, [{ kind: 'group', op: 'upsert', ids: [group.id] }]);
      return { group: this.#mem.groupOut(group), created: !current };
    });
  }

  /** Deletes a group and removes it from the groups that list it as a member. */
  async deleteGroup(id: string): Promise<boolean> {
    this.#ready();
    return this.#serial(async () => {
      if (!this.#mem.groups.has(id)) return false;
      const now = this.#time();
      const parents = [...(this.#mem.groupParents.get(id) ?? NO_GROUPS)].map((pid) => {
        const p = structuredClone(this.#mem.groups.get(pid)!);
        p.member_group_ids = p.member_group_ids.filter((m) => m !== id);
        return this.#touched(p, now);
      });
      await this.#commit({ groups: parents, deleteGroups: [id] }, [
        { kind: 'group', op: 'delete', ids: [id] },
        ...(parents.length
          ? [{ kind: 'group' as const, op: 'upsert' as const, ids: parents.map((p) => p.id) }]
          : []),
      ]);
      return true;
    });
  }

  // ---- internals ------------------------------------------------------------------------------

  #ready(): void {
    if (!this.#loaded) throw new InternalError('identity store is not loaded');
  }

  #reset(): void {
    this.#generation += 1;
    this.#mem = new IdentityIndex();
    this.#policyCache = new Map();
  }

  /** Runs writes one at a time; each checks the store is (still) loaded. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const guarded = () => {
      this.#ready();
      return fn();
    };
    const run = this.#tail.then(guarded, guarded);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #time(): string {
    return this.#now().toISOString();
  }

  #freeName(prefix: string, taken: Map<string, string>, id: string): string {
    let name = `${prefix}_${id.replace(/-/g, '').slice(0, 8)}`;
    while (taken.has(fold(name))) name = `${prefix}_${this.#uuid().replace(/-/g, '').slice(0, 8)}`;
    return name;
  }

  #newEntity(now: string, name?: string): Entity {
    const id = this.#uuid();
    return {
      id,
      name: name ?? this.#freeName('entity', this.#mem.entityByName, id),
      metadata: {},
      policies: [],
      disabled: false,
      aliases: [],
      merged_entity_ids: [],
      creation_time: now,
      last_update_time: now,
    };
  }

  #touched(g: GroupRecord, now: string): GroupRecord {
    g.last_update_time = now;
    g.modify_index += 1;
    return g;
  }

  async #commit(
    tx: { entities?: Entity[]; deleteEntities?: string[]; groups?: GroupRecord[]; deleteGroups?: string[] },
    changes: IdentityChange[],
  ): Promise<void> {
    const put = (key: string, v: unknown): StorageOp => ({
      op: 'put',
      key,
      value: Buffer.from(JSON.stringify(v), 'utf8'),
    });
    const ops: StorageOp[] = [
      ...(tx.entities ?? []).map((e) => put(ENTITY + e.id, e)),
      ...(tx.deleteEntities ?? []).map((id): StorageOp => ({ op: 'delete', key: ENTITY + id })),
      ...(tx.groups ?? []).map((g) => put(GROUP + g.id, g)),
      ...(tx.deleteGroups ?? []).map((id): StorageOp => ({ op: 'delete', key: GROUP + id })),
    ];
    const generation = this.#generation;
    await this.#storage.batch(ops);
    // Sealed (or reloaded) meanwhile: the write is stored; memory is rebuilt from storage on load.
    if (generation !== this.#generation) return;
    for (const id of tx.deleteEntities ?? []) this.#mem.removeEntity(id);
    for (const e of tx.entities ?? []) this.#mem.setEntity(e);
    for (const id of tx.deleteGroups ?? []) this.#mem.removeGroup(id);
    for (const g of tx.groups ?? []) this.#mem.setGroup(g);
    this.#policyCache.clear();
    for (const change of changes) {
      for (const cb of this.#listeners) {
        try {
          cb(change);
        } catch {
          // A listener's failure must not undo or fail a committed write.
        }
      }
    }
  }
}
