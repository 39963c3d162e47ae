import {
  BadRequestError,
  definePath,
  type FieldValues,
  f,
  type HandlerContext,
  InternalError,
  InvalidFieldError,
  NotFoundError,
  PermissionDeniedError,
} from '../../sdk/index.ts';
import { checkName, listKeys } from './config.ts';
import { parseCron } from './cron.ts';
import { DatabaseEngine } from './engine.ts';
import { type ConfigRecord, keys, roleAllowed, type StaticRoleRecord } from './records.ts';

const nameField = f.string({ description: 'Name of the static role ([A-Za-z0-9_.-]).', in: 'path' });
const fields = {
  name: nameField,
  db_name: f.string({ description: 'Name of the database connection. Required on create; cannot change.' }),
  username: f.string({
    description:
      'The existing database user whose password Coffer rotates. Required on create; cannot change.',
  }),
  rotation_period: f.duration({
    description: 'Rotate every this long (at least 5 seconds). Exclusive with rotation_schedule.',
  }),
  rotation_schedule: f.string({
    description:
      'Cron schedule (UTC) "minute hour day-of-month month day-of-week" with *, numbers, lists, ranges and */n.',
  }),
  rotation_window: f.duration({
    description:
      'With rotation_schedule: how long after the scheduled time a rotation may still run (at least 1 hour).',
  }),
  rotation_statements: f.stringList({
    description: 'Statements that set the password ({{name}}, {{password}}); plugin defaults when empty.',
  }),
  credential_type: f.string({ description: 'Kind of credential; only "password".', allowed: ['password'] }),
  credential_config: f.map({
    description: 'Options of the credential type (accepted, unused for passwords).',
  }),
};

function timing(rec: StaticRoleRecord): Record<string, unknown> {
  return rec.rotation_period > 0
    ? { rotation_period: rec.rotation_period }
    : { rotation_schedule: rec.rotation_schedule, rotation_window: rec.rotation_window };
}

export function staticPaths(engine: DatabaseEngine) {
  const list = definePath({
    pattern: 'static-roles',
    fields: {},
    operations: { list: (ctx) => listKeys(ctx, 'static-role/') },
    help: { synopsis: 'List static roles.', description: 'LIST answers the names of the static roles.' },
  });

  async function write(ctx: HandlerContext, v: FieldValues<typeof fields>, create: boolean) {
    const name = checkName(v.name, 'role name');
    const old = create ? undefined : await ctx.storage.getJSON<StaticRoleRecord>(keys.staticRole(name));
    if (old && v.username !== undefined && v.username !== old.username)
      throw new InvalidFieldError('cannot change the username of a static role');
    if (old && v.db_name !== undefined && v.db_name !== old.db_name)
      throw new InvalidFieldError('cannot change the db_name of a static role');
    const db = checkName(v.db_name ?? old?.db_name, 'db_name');
    const username = v.username ?? old?.username;
    if (!username) throw new InvalidFieldError('missing required field "username"');
    const cfg = await ctx.storage.getJSON<ConfigRecord>(keys.config(db));
    if (!cfg) throw new BadRequestError(`no database config "${db}"`);
    if (!roleAllowed(cfg.allowed_roles, name))
      throw new PermissionDeniedError(`"${name}" is not an allowed role of config "${db}"`);
    let period = v.rotation_period ?? old?.rotation_period ?? 0;
    let schedule = v.rotation_schedule ?? old?.rotation_schedule ?? '';
    if (v.rotation_period !== undefined && v.rotation_schedule !== undefined)
      throw new InvalidFieldError('rotation_period and rotation_schedule are exclusive');
    if (v.rotation_period !== undefined) schedule = '';
    if (v.rotation_schedule !== undefined) period = 0;
    if (!period && !schedule)
      throw new InvalidFieldError('one of rotation_period or rotation_schedule is required');
    if (period && period < 5) throw new InvalidFieldError('rotation_period must be at least 5 seconds');
    if (schedule) {
      try {
        parseCron(schedule);
      } catch (err) {
        throw new InvalidFieldError(`rotation_schedule: ${(err as Error).message}`);
      }
    }
    const window = schedule ? (v.rotation_window ?? old?.rotation_window ?? 0) : 0;
    if (v.rotation_window !== undefined && !schedule)
      throw new InvalidFieldError('rotation_window needs rotation_schedule');
    if (window && window < 3600) throw new InvalidFieldError('rotation_window must be at least 1 hour');
    const rec: StaticRoleRecord = {
      db_name: db,
      username,
      rotation_period: period,
      rotation_schedule: schedule,
      rotation_window: window,
      rotation_statements: v.rotation_statements ?? old?.rotation_statements ?? [],
      credential_type: 'password',
      last_vault_rotation: old?.last_vault_rotation ?? 0,
    };
    if (old?.password !== undefined) rec.password = old.password;
    await ctx.storage.putJSON(keys.staticRole(name), rec);
    if (!create) {
      engine.scheduleStatic(name, rec);
      return;
    }
    try {
      await engine.rotateStatic(name); // as Vault: the password is rotated on create
    } catch (err) {
      throw new InternalError(
        `static role "${name}" was saved but its first rotation failed; it is retried in the background`,
        { cause: err },
      );
    }
  }

  const role = definePath({
    pattern: 'static-roles/:name',
    fields,
    exists: (ctx, { name }) => ctx.storage.has(keys.staticRole(checkName(name, 'role name'))),
    operations: {
      read: async (ctx, { name }) => {
        const rec = await ctx.storage.getJSON<StaticRoleRecord>(
          keys.staticRole(checkName(name, 'role name')),
        );
        if (!rec) throw new NotFoundError();
        return {
          data: {
            db_name: rec.db_name,
            username: rec.username,
            rotation_statements: rec.rotation_statements,
            credential_type: rec.credential_type,
            credential_config: {},
            last_vault_rotation: rec.last_vault_rotation
              ? new Date(rec.last_vault_rotation).toISOString()
              : null,
            ...timing(rec),
          },
        };
      },
      create: (ctx, v) => write(ctx, v, true),
      update: (ctx, v) => write(ctx, v, false),
      delete: async (ctx, { name }) => {
        checkName(name, 'role name');
        await ctx.storage.batch([
          { op: 'delete', key: keys.staticRole(name!) },
          { op: 'delete', key: keys.staticWal(name!) },
        ]);
        engine.scheduleStatic(name!, undefined);
      },
    },
    help: {
      synopsis: 'Manage static roles: existing database users whose password Coffer rotates.',
      description:
        'A static role maps a name to an existing database user. Coffer sets a new password on create and ' +
        'then every rotation_period, or on a cron rotation_schedule. Deleting the role stops the rotation ' +
        'and leaves the user as it is.',
    },
  });

  const creds = definePath({
    pattern: 'static-creds/:name',
    fields: { name: nameField },
    operations: {
      read: async (ctx, { name }) => {
        const rec = await ctx.storage.getJSON<StaticRoleRecord>(
          keys.staticRole(checkName(name, 'role name')),
        );
        if (!rec) throw new BadRequestError(`unknown static role: ${name}`);
        if (rec.password === undefined)
          throw new BadRequestError('the first rotation of this static role has not succeeded yet');
        const now = ctx.system.now().getTime();
        const next = DatabaseEngine.nextRotation(rec, now);
        return {
          data: {
            username: rec.username,
            password: rec.password,
            last_vault_rotation: new Date(rec.last_vault_rotation).toISOString(),
            ttl: next === undefined ? 0 : Math.max(0, Math.floor((next - now) / 1000)),
            ...timing(rec),
          },
        };
      },
    },
    help: {
      synopsis: 'Read the current credential of a static role.',
      description:
        'GET returns the username and the password the database accepted last, when it was set and the ' +
        'seconds until the next rotation. The response is secret.',
    },
    responses: { read: { username: 'Database user.', password: 'Its current password (secret).' } },
  });

  const rotate = definePath({
    pattern: 'rotate-role/:name',
    fields: { name: nameField },
    operations: {
      update: async (ctx, { name }) => {
        if (!(await ctx.storage.has(keys.staticRole(checkName(name, 'role name')))))
          throw new NotFoundError();
        await engine.rotateStatic(name!);
      },
    },
    help: {
      synopsis: 'Rotate the password of a static role now.',
      description: 'POST sets a new password on the user now and restarts its rotation period.',
    },
  });

  return [list, role, creds, rotate];
}
