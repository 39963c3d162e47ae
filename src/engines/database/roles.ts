import {
  definePath,
  type FieldValues,
  f,
  type HandlerContext,
  InvalidFieldError,
  NotFoundError,
} from '../../sdk/index.ts';
import { checkName, listKeys } from './config.ts';
import { keys, type RoleRecord } from './records.ts';

const fields = {
  name: f.string({ description: 'Name of the role ([A-Za-z0-9_.-]).', in: 'path' }),
  db_name: f.string({
    description: 'Name of the database connection (config) the role uses. Required on create.',
  }),
  creation_statements: f.stringList({
    description:
      'Statements that create the user ({{name}}, {{password}}, {{expiration}}); plugin defaults when empty.',
  }),
  revocation_statements: f.stringList({
    description: 'Statements that drop the user; plugin defaults when empty.',
  }),
  rollback_statements: f.stringList({ description: 'Statements run if creation fails half-way.' }),
  renew_statements: f.stringList({ description: 'Statements run when a lease is renewed ({{expiration}}).' }),
  default_ttl: f.duration({ description: 'Lease TTL of issued credentials (0: the mount default).' }),
  max_ttl: f.duration({ description: 'Longest lifetime of issued credentials (0: the mount maximum).' }),
  credential_type: f.string({
    description: 'Kind of credential issued; only "password".',
    allowed: ['password'],
  }),
  credential_config: f.map({
    description: 'Options of the credential type (accepted, unused for passwords).',
  }),
};

export function rolePaths() {
  const list = definePath({
    pattern: 'roles',
    fields: {},
    operations: { list: (ctx) => listKeys(ctx, 'role/') },
    help: { synopsis: 'List dynamic roles.', description: 'LIST answers the names of the roles.' },
  });

  async function write(ctx: HandlerContext, v: FieldValues<typeof fields>, create: boolean) {
    const name = checkName(v.name, 'role name');
    const old = create ? undefined : await ctx.storage.getJSON<RoleRecord>(keys.role(name));
    const db = v.db_name ?? old?.db_name;
    if (!db) throw new InvalidFieldError('missing required field "db_name"');
    checkName(db, 'db_name');
    const rec: RoleRecord = {
      db_name: db,
      creation_statements: v.creation_statements ?? old?.creation_statements ?? [],
      revocation_statements: v.revocation_statements ?? old?.revocation_statements ?? [],
      rollback_statements: v.rollback_statements ?? old?.rollback_statements ?? [],
      renew_statements: v.renew_statements ?? old?.renew_statements ?? [],
      default_ttl: v.default_ttl ?? old?.default_ttl ?? 0,
      max_ttl: v.max_ttl ?? old?.max_ttl ?? 0,
      credential_type: 'password',
    };
    if (rec.max_ttl > 0 && rec.default_ttl > rec.max_ttl)
      throw new InvalidFieldError('default_ttl cannot be greater than max_ttl');
    await ctx.storage.putJSON(keys.role(name), rec);
  }

  const role = definePath({
    pattern: 'roles/:name',
    fields,
    exists: (ctx, { name }) => ctx.storage.has(keys.role(checkName(name, 'role name'))),
    operations: {
      read: async (ctx, { name }) => {
        const rec = await ctx.storage.getJSON<RoleRecord>(keys.role(checkName(name, 'role name')));
        if (!rec) throw new NotFoundError();
        return { data: { ...rec, credential_config: {} } };
      },
      create: (ctx, v) => write(ctx, v, true),
      update: (ctx, v) => write(ctx, v, false),
      delete: async (ctx, { name }) => {
        await ctx.storage.delete(keys.role(checkName(name, 'role name')));
      },
    },
    help: {
      synopsis: 'Manage roles that issue dynamic database credentials.',
      description:
        'A role names a connection and the statements that create, renew and drop a user. GET creds/:name ' +
        'creates a user with a generated name and password and a lease; revoking the lease drops it. Role ' +
        'names are letters, digits, "_", "." and "-" (they appear in usernames).',
    },
  });
  return [list, role];
}
