import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  definePath,
  f,
  type HandlerContext,
  InvalidFieldError,
  NotFoundError,
} from '../../sdk/index.ts';
import { cidrsWithin, parseCidrList } from '../shared/cidr.ts';
import { roleName } from './roles.ts';
import {
  type ApproleState,
  accessorKey,
  deleteSecretId,
  expired,
  isoTime,
  mustLoadRole,
  type RoleEntry,
  type SecretIdEntry,
  secretIdHmac,
  secretIdPrefix,
} from './store.ts';

const secretIdOptions = {
  metadata: f.any({
    description:
      'Metadata of the secret id: a JSON object of strings (or its JSON text); copied to the token',
  }),
  cidr_list: f.commaList({ description: 'CIDR blocks the secret id may be used from' }),
  token_bound_cidrs: f.commaList({
    description: 'CIDR blocks tokens issued with the secret id may be used from',
  }),
  ttl: f.duration({ description: "Lifetime of the secret id (at most the role's secret_id_ttl)" }),
  num_uses: f.int({ description: "Uses of the secret id (at most the role's secret_id_num_uses)", min: 0 }),
};

const MAX_SECRET_ID = 4096;

function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === '') return {};
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new InvalidFieldError('field "metadata": expected a JSON object of strings');
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidFieldError('field "metadata": expected a JSON object of strings');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new InvalidFieldError('field "metadata": expected a JSON object of strings');
    out[k] = v;
  }
  return out;
}

interface IssueOptions {
  metadata?: unknown;
  cidr_list?: string[] | undefined;
  token_bound_cidrs?: string[] | undefined;
  ttl?: number | undefined;
  num_uses?: number | undefined;
}

/** Stores a secret id for the role (only its HMAC in the key); answers Vault's creation shape. */
async function issue(
  ctx: HandlerContext,
  state: ApproleState,
  role: RoleEntry,
  secretId: string,
  o: IssueOptions,
) {
  if (!role.bind_secret_id) throw new BadRequestError('bind_secret_id is not set on the role');
  const cidrs = parseCidrList('cidr_list', o.cidr_list ?? []);
  if (role.secret_id_bound_cidrs.length > 0 && !cidrsWithin(cidrs, role.secret_id_bound_cidrs)) {
    throw new BadRequestError("cidr_list must be a subset of the role's secret_id_bound_cidrs");
  }
  const tokenCidrs = parseCidrList('token_bound_cidrs', o.token_bound_cidrs ?? []);
  if (role.token.token_bound_cidrs.length > 0 && !cidrsWithin(tokenCidrs, role.token.token_bound_cidrs)) {
    throw new BadRequestError("token_bound_cidrs must be a subset of the role's token_bound_cidrs");
  }
  let ttl = role.secret_id_ttl;
  if (o.ttl !== undefined && o.ttl > 0) {
    if (role.secret_id_ttl > 0 && o.ttl > role.secret_id_ttl) {
      throw new BadRequestError("ttl cannot be longer than the role's secret_id_ttl");
    }
    ttl = o.ttl;
  }
  let uses = role.secret_id_num_uses;
  if (o.num_uses !== undefined) {
    if (role.secret_id_num_uses > 0 && (o.num_uses === 0 || o.num_uses > role.secret_id_num_uses)) {
      throw new BadRequestError("num_uses cannot be higher than the role's secret_id_num_uses");
    }
    uses = o.num_uses;
  }
  const now = ctx.system.now().getTime();
  const entry: SecretIdEntry = {
    secret_id_accessor: randomUUID(),
    secret_id_num_uses: uses,
    secret_id_ttl: ttl,
    creation_time: now,
    last_updated_time: now,
    expiration_time: ttl > 0 ? now + ttl * 1000 : 0,
    metadata: parseMetadata(o.metadata),
    cidr_list: cidrs,
    token_bound_cidrs: tokenCidrs,
  };
  const hmac = await secretIdHmac(state, ctx.storage, secretId);
  const key = `${secretIdPrefix(role.role_name)}${hmac}`;
  await state.locks.run(key, async () => {
    if (await ctx.storage.has(key)) throw new BadRequestError('secret id is already registered');
    await ctx.storage.batch([
      { op: 'put', key, value: Buffer.from(JSON.stringify(entry)) },
      {
        op: 'put',
        key: await accessorKey(state, ctx.storage, entry.secret_id_accessor),
        value: Buffer.from(JSON.stringify({ role_name: role.role_name, secret_id_hmac: hmac })),
      },
    ]);
  });
  return {
    data: {
      secret_id: secretId,
      secret_id_accessor: entry.secret_id_accessor,
      secret_id_num_uses: entry.secret_id_num_uses,
      secret_id_ttl: entry.secret_id_ttl,
    },
  };
}

function lookupJSON(e: SecretIdEntry): Record<string, unknown> {
  return {
    cidr_list: [...e.cidr_list],
    creation_time: isoTime(e.creation_time),
    expiration_time: isoTime(e.expiration_time),
    last_updated_time: isoTime(e.last_updated_time),
    metadata: { ...e.metadata },
    secret_id_accessor: e.secret_id_accessor,
    secret_id_num_uses: e.secret_id_num_uses,
    secret_id_ttl: e.secret_id_ttl,
    token_bound_cidrs: [...e.token_bound_cidrs],
  };
}

/** The role's live secret id entry for a secret id, or undefined. */
async function findBySecretId(ctx: HandlerContext, state: ApproleState, role: RoleEntry, secretId: string) {
  const hmac = await secretIdHmac(state, ctx.storage, secretId);
  const entry = await ctx.storage.getJSON<SecretIdEntry>(`${secretIdPrefix(role.role_name)}${hmac}`);
  if (!entry || expired(entry, ctx.system.now().getTime())) return undefined;
  return { hmac, entry };
}

async function findByAccessor(ctx: HandlerContext, state: ApproleState, role: RoleEntry, accessor: string) {
  const ref = await ctx.storage.getJSON<{ role_name: string; secret_id_hmac: string }>(
    await accessorKey(state, ctx.storage, accessor),
  );
  const entry =
    ref && ref.role_name === role.role_name
      ? await ctx.storage.getJSON<SecretIdEntry>(`${secretIdPrefix(role.role_name)}${ref.secret_id_hmac}`)
      : undefined;
  if (!ref || !entry) throw new NotFoundError('failed to find accessor entry for secret_id_accessor');
  return { hmac: ref.secret_id_hmac, entry };
}

const secretIdField = f.string({ description: 'The secret id', required: true, sensitive: true });
const accessorField = f.string({ description: 'Accessor of the secret id', required: true });

/** secret-id (issue, list), custom-secret-id, lookup / destroy by secret id or accessor. */
export function secretIdPaths(state: ApproleState) {
  return [
    definePath({
      pattern: 'role/:role_name/secret-id',
      fields: { role_name: roleName, ...secretIdOptions },
      operations: {
        update: async (ctx, v) => issue(ctx, state, await mustLoadRole(ctx, v.role_name!), randomUUID(), v),
        list: async (ctx, v) => {
          const role = await mustLoadRole(ctx, v.role_name!);
          const prefix = secretIdPrefix(role.role_name);
          const keys: string[] = [];
          for (const hmac of await ctx.storage.list(prefix)) {
            const entry = await ctx.storage.getJSON<SecretIdEntry>(prefix + hmac);
            if (entry) keys.push(entry.secret_id_accessor);
          }
          if (keys.length === 0) throw new NotFoundError();
          return { data: { keys: keys.sort() } };
        },
      },
      help: {
        synopsis: 'Generate a secret id for the role, or list the accessors of its secret ids',
        description:
          'POST answers a new secret id (shown once; only its HMAC is stored) and its accessor. LIST ' +
          'answers the accessors.',
      },
    }),
    definePath({
      pattern: 'role/:role_name/custom-secret-id',
      fields: { role_name: roleName, secret_id: secretIdField, ...secretIdOptions },
      operations: {
        update: async (ctx, v) => {
          const secretId = v.secret_id!;
          if (secretId === '' || secretId.length > MAX_SECRET_ID) {
            throw new InvalidFieldError(`field "secret_id": expected 1 to ${MAX_SECRET_ID} characters`);
          }
          return issue(ctx, state, await mustLoadRole(ctx, v.role_name!), secretId, v);
        },
      },
      help: {
        synopsis: 'Register a secret id of your choice for the role',
        description: 'POST with "secret_id" (and the options of secret-id) registers it.',
      },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id/lookup',
      fields: { role_name: roleName, secret_id: secretIdField },
      operations: {
        update: async (ctx, v) => {
          const found = await findBySecretId(ctx, state, await mustLoadRole(ctx, v.role_name!), v.secret_id!);
          return found ? { data: lookupJSON(found.entry) } : undefined;
        },
      },
      help: {
        synopsis: 'Read the properties of a secret id',
        description: 'POST with "secret_id": its accessor, uses left, times and metadata (204 when unknown).',
      },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id/destroy',
      fields: { role_name: roleName, secret_id: secretIdField },
      operations: Object.fromEntries(
        (['update', 'delete'] as const).map((op) => [
          op,
          async (
            ctx: HandlerContext,
            v: { role_name?: string | undefined; secret_id?: string | undefined },
          ) => {
            const role = await mustLoadRole(ctx, v.role_name!);
            const hmac = await secretIdHmac(state, ctx.storage, v.secret_id!);
            const key = `${secretIdPrefix(role.role_name)}${hmac}`;
            await state.locks.run(key, async () => {
              const entry = await ctx.storage.getJSON<SecretIdEntry>(key);
              if (entry) await deleteSecretId(state, ctx.storage, role.role_name, hmac, entry);
            });
          },
        ]),
      ),
      help: {
        synopsis: 'Destroy a secret id',
        description: 'POST or DELETE with "secret_id" invalidates it.',
      },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id-accessor/lookup',
      fields: { role_name: roleName, secret_id_accessor: accessorField },
      operations: {
        update: async (ctx, v) => {
          const role = await mustLoadRole(ctx, v.role_name!);
          const { entry } = await findByAccessor(ctx, state, role, v.secret_id_accessor!);
          return { data: lookupJSON(entry) };
        },
      },
      help: {
        synopsis: 'Read the properties of a secret id by its accessor',
        description: 'POST with "secret_id_accessor"; 404 when unknown.',
      },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id-accessor/destroy',
      fields: { role_name: roleName, secret_id_accessor: accessorField },
      operations: Object.fromEntries(
        (['update', 'delete'] as const).map((op) => [
          op,
          async (
            ctx: HandlerContext,
            v: { role_name?: string | undefined; secret_id_accessor?: string | undefined },
          ) => {
            const role = await mustLoadRole(ctx, v.role_name!);
            const { hmac } = await findByAccessor(ctx, state, role, v.secret_id_accessor!);
            const key = `${secretIdPrefix(role.role_name)}${hmac}`;
            await state.locks.run(key, async () => {
              const entry = await ctx.storage.getJSON<SecretIdEntry>(key);
              await deleteSecretId(state, ctx.storage, role.role_name, hmac, entry);
            });
          },
        ]),
      ),
      help: {
        synopsis: 'Destroy a secret id by its accessor',
        description: 'POST or DELETE with "secret_id_accessor" invalidates the secret id.',
      },
    }),
  ];
}
