import { BadRequestError, type HandlerContext, type StorageView } from '../../sdk/index.ts';
import { KeyedLock } from '../../sdk/keyed-lock.ts';
import type { TokenConfig } from '../shared/token-fields.ts';
import { MountHmac } from './hmac.ts';

/**
 * AppRole storage:
 *   salt                                  per-mount HMAC key
 *   role/<role name>                      RoleEntry
 *   role_id/<hmac(role id)>               { role_name }
 *   secret_id/<role name>/<hmac(secret)>  SecretIdEntry (never the secret id itself)
 *   accessor/<hmac(accessor)>             { role_name, secret_id_hmac }
 */
export interface RoleEntry {
  role_name: string;
  role_id: string;
  bind_secret_id: boolean;
  secret_id_bound_cidrs: string[];
  secret_id_num_uses: number;
  /** seconds, 0 = no expiry */
  secret_id_ttl: number;
  local_secret_ids: boolean;
  token: TokenConfig;
}

export interface SecretIdEntry {
  secret_id_accessor: string;
  /** Uses left, 0 = unlimited. */
  secret_id_num_uses: number;
  secret_id_ttl: number;
  /** epoch ms */
  creation_time: number;
  last_updated_time: number;
  /** epoch ms, 0 = never */
  expiration_time: number;
  metadata: Record<string, string>;
  cidr_list: string[];
  token_bound_cidrs: string[];
}

/** Per-mount state: the HMAC key and the per-secret-id lock that makes use counts exact. */
export class ApproleState {
  readonly hmac = new MountHmac();
  readonly locks = new KeyedLock();
}

/** Role names are case-insensitive, as in Vault. */
export const roleKey = (name: string) => `role/${name.toLowerCase()}`;
export const secretIdPrefix = (name: string) => `secret_id/${name.toLowerCase()}/`;

export function loadRole(ctx: HandlerContext, name: string): Promise<RoleEntry | undefined> {
  return ctx.storage.getJSON<RoleEntry>(roleKey(name));
}

export async function mustLoadRole(ctx: HandlerContext, name: string): Promise<RoleEntry> {
  const role = await loadRole(ctx, name);
  if (!role) throw new BadRequestError(`role "${name.toLowerCase()}" does not exist`);
  return role;
}

export async function roleIdKey(state: ApproleState, storage: StorageView, roleId: string): Promise<string> {
  return `role_id/${await state.hmac.digest(storage, 'role_id', roleId)}`;
}

export async function secretIdHmac(
  state: ApproleState,
  storage: StorageView,
  secretId: string,
): Promise<string> {
  return state.hmac.digest(storage, 'secret_id', secretId);
}

export async function accessorKey(
  state: ApproleState,
  storage: StorageView,
  accessor: string,
): Promise<string> {
  return `accessor/${await state.hmac.digest(storage, 'accessor', accessor)}`;
}

/** Removes a secret id and its accessor entry. */
export async function deleteSecretId(
  state: ApproleState,
  storage: StorageView,
  roleName: string,
  hmac: string,
  entry: SecretIdEntry | undefined,
): Promise<void> {
  const ops = [{ op: 'delete' as const, key: `${secretIdPrefix(roleName)}${hmac}` }];
  if (entry) ops.push({ op: 'delete', key: await accessorKey(state, storage, entry.secret_id_accessor) });
  await storage.batch(ops);
}

export function expired(entry: SecretIdEntry, nowMs: number): boolean {
  return entry.expiration_time !== 0 && entry.expiration_time <= nowMs;
}

/** RFC 3339 as Vault prints times; the zero time when unset. */
export function isoTime(ms: number): string {
  return ms === 0 ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString();
}

/** A role must constrain logins somehow (Vault's rule). */
export function checkRoleConstraints(role: RoleEntry): void {
  if (
    !role.bind_secret_id &&
    role.secret_id_bound_cidrs.length === 0 &&
    role.token.token_bound_cidrs.length === 0
  ) {
    throw new BadRequestError(
      'at least one constraint should be enabled on the role: bind_secret_id, secret_id_bound_cidrs or token_bound_cidrs',
    );
  }
}
