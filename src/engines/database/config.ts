import {
  BadRequestError,
  definePath,
  type FieldValues,
  f,
  type HandlerContext,
  InvalidFieldError,
  NotFoundError,
} from '../../sdk/index.ts';
import type { DatabaseEngine } from './engine.ts';
import { type ConfigRecord, keys, NAME_RE } from './records.ts';
import { redactConnectionURL } from './redact.ts';
import { renderUsernameTemplate } from './username.ts';

export function checkName(name: string | undefined, what: string): string {
  if (!name || !NAME_RE.test(name))
    throw new InvalidFieldError(`${what} must be 1-128 of [A-Za-z0-9_.-], not starting with "."`);
  return name;
}

export async function listKeys(ctx: HandlerContext, prefix: string) {
  const list = (await ctx.storage.list(prefix)).filter((k) => !k.endsWith('/'));
  if (list.length === 0) throw new NotFoundError();
  return { data: { keys: list } };
}

const fields = {
  name: f.string({ description: 'Name of this database connection.', in: 'path' }),
  plugin_name: f.string({
    description:
      'The plugin to use: postgresql-database-plugin, mysql-database-plugin, redis-database-plugin. Required on create.',
  }),
  plugin_version: f.string({ description: 'Accepted for compatibility; plugins are built in.' }),
  connection_url: f.string({
    description: 'Connection string; may hold {{username}} and {{password}}, filled from those fields.',
  }),
  username: f.string({ description: 'The user Coffer connects as (the "root" credential).' }),
  password: f.string({ description: 'The password of that user. Never returned.', sensitive: true }),
  allowed_roles: f.commaList({
    description: 'Roles allowed to use this connection: names, globs with "*", or "*" for all. Empty: none.',
  }),
  verify_connection: f.bool({
    description: 'Connect when the config is written and refuse it if that fails (default true).',
  }),
  root_rotation_statements: f.stringList({
    description: 'Statements run to rotate the root credential (plugin defaults when empty).',
  }),
  password_policy: f.string({
    description: 'Password policy used for generated passwords (default rules when empty).',
  }),
  username_template: f.string({
    description:
      'Template of generated usernames: {{.DisplayName}}, {{.RoleName}}, {{random N}}, {{unix_time}}, {{unix_time_millis}}, with | truncate N, | lowercase, | uppercase, | replace "a" "b".',
  }),
  max_open_connections: f.int({
    description: 'Most connections the pool opens (plugin default when absent).',
    min: 1,
  }),
  max_idle_connections: f.int({ description: 'Most idle connections kept.', min: 0 }),
  max_connection_lifetime: f.duration({ description: 'How long a connection is reused.' }),
};
const DETAIL_FIELDS = [
  'connection_url',
  'username',
  'max_open_connections',
  'max_idle_connections',
  'max_connection_lifetime',
] as const;

export function configPaths(engine: DatabaseEngine) {
  const list = definePath({
    pattern: 'config',
    fields: {},
    operations: { list: (ctx) => listKeys(ctx, 'config/') },
    help: {
      synopsis: 'List database connections.',
      description: 'LIST answers the names of the configured connections.',
    },
  });

  const config = definePath({
    pattern: 'config/:name',
    fields,
    freeform: true,
    exists: (ctx, { name }) => ctx.storage.has(keys.config(name!)),
    operations: {
      read: async (ctx, { name }) => {
        const rec = await ctx.storage.getJSON<ConfigRecord>(keys.config(checkName(name, 'name')));
        if (!rec) throw new NotFoundError();
        const details = {
          ...rec.connection_details,
          connection_url: redactConnectionURL(rec.connection_details.connection_url),
        };
        return {
          data: {
            plugin_name: rec.plugin_name,
            plugin_version: '',
            connection_details: details,
            allowed_roles: rec.allowed_roles,
            root_credentials_rotate_statements: rec.root_rotation_statements,
            password_policy: rec.password_policy,
            username_template: rec.username_template,
            verify_connection: rec.verify_connection,
          },
        };
      },
      create: (ctx, v) => write(ctx, v, true),
      update: (ctx, v) => write(ctx, v, false),
      delete: async (ctx, { name }) => {
        checkName(name, 'name');
        await engine.closePool(name!);
        await ctx.storage.batch([
          { op: 'delete', key: keys.config(name!) },
          { op: 'delete', key: keys.rootWal(name!) },
        ]);
      },
    },
    help: {
      synopsis: 'Configure a connection to a database.',
      description:
        'POST creates or updates a connection: the plugin, the connection URL and the credential Coffer ' +
        'connects with (its password is never returned), the roles allowed to use it and how usernames and ' +
        'passwords are generated. Keys beyond the documented ones are passed to the plugin. With ' +
        'verify_connection (default) the connection is tried first. GET returns it without the password; ' +
        'DELETE removes it and closes its pool.',
    },
  });

  async function write(ctx: HandlerContext, v: FieldValues<typeof fields>, create: boolean) {
    const name = checkName(v.name, 'name');
    const old = create ? undefined : await ctx.storage.getJSON<ConfigRecord>(keys.config(name));
    const pluginName = v.plugin_name ?? old?.plugin_name;
    if (!pluginName) throw new InvalidFieldError('missing required field "plugin_name"');
    engine.makePlugin(pluginName); // unknown plugin: 400
    const details: Record<string, unknown> = { ...(old?.connection_details ?? {}) };
    for (const k of DETAIL_FIELDS) if (v[k] !== undefined) details[k] = v[k];
    for (const [k, val] of Object.entries(ctx.raw)) if (!Object.hasOwn(fields, k)) details[k] = val;
    // Redis takes Vault's host/port form instead of a URL; the plugin checks what it needs.
    const hasHost = typeof details.host === 'string' && details.host !== '';
    if ((typeof details.connection_url !== 'string' || details.connection_url === '') && !hasHost)
      throw new InvalidFieldError('missing required field "connection_url"');
    const template = v.username_template ?? old?.username_template ?? '';
    if (template) {
      try {
        renderUsernameTemplate(template, {
          displayName: 'd',
          roleName: 'r',
          now: new Date(0),
          random: (n) => Buffer.alloc(n),
        });
      } catch (err) {
        throw new InvalidFieldError((err as Error).message);
      }
    }
    const rec: ConfigRecord = {
      plugin_name: pluginName,
      connection_details: details,
      allowed_roles: v.allowed_roles ?? old?.allowed_roles ?? [],
      verify_connection: v.verify_connection ?? true,
      root_rotation_statements: v.root_rotation_statements ?? old?.root_rotation_statements ?? [],
      password_policy: v.password_policy ?? old?.password_policy ?? '',
      username_template: template,
    };
    const password = v.password ?? old?.password;
    if (password !== undefined) rec.password = password;
    let plugin: Awaited<ReturnType<DatabaseEngine['open']>>;
    try {
      plugin = await engine.open(rec, rec.verify_connection);
    } catch (err) {
      throw new BadRequestError(`error creating database object: ${(err as Error).message}`, { cause: err });
    }
    await ctx.storage.putJSON(keys.config(name), rec);
    await engine.setPool(name, plugin);
  }

  const reset = definePath({
    pattern: 'reset/:name',
    fields: { name: fields.name },
    operations: {
      update: async (ctx, { name }) => {
        checkName(name, 'name');
        if (!(await ctx.storage.has(keys.config(name!)))) throw new NotFoundError();
        await engine.closePool(name!);
        await engine.pool(name!);
      },
    },
    help: {
      synopsis: 'Reset a connection.',
      description: 'POST closes the pool of the connection and opens a new one from the stored config.',
    },
  });

  const rotateRoot = definePath({
    pattern: 'rotate-root/:name',
    fields: { name: fields.name },
    operations: {
      update: async (_ctx, { name }) => {
        await engine.rotateRoot(checkName(name, 'name'));
      },
    },
    help: {
      synopsis: 'Rotate the root credential of a connection.',
      description:
        'POST sets a new generated password on the connection user: the new password is written ahead ' +
        'first, then set on the database, then stored. Afterwards only Coffer knows it.',
    },
  });

  return [list, config, reset, rotateRoot];
}
