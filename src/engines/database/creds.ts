import {
  BadRequestError,
  definePath,
  f,
  type LeaseInfo,
  PermissionDeniedError,
  type SecretDefinition,
} from '../../sdk/index.ts';
import { checkName } from './config.ts';
import type { DatabaseEngine } from './engine.ts';
import { type ConfigRecord, type IssuanceWal, keys, type RoleRecord, roleAllowed } from './records.ts';
import { generateUsername, sanitizeDisplayName } from './username.ts';

/** What a `creds` lease keeps (behind the barrier) for revoke and renew. */
export interface CredsInternal {
  db_name: string;
  role: string;
  username: string;
  walKey: string;
}

export function credsPaths(engine: DatabaseEngine) {
  const creds = definePath({
    pattern: 'creds/:name',
    fields: { name: f.string({ description: 'Name of the role to issue a credential from.', in: 'path' }) },
    operations: {
      read: async (ctx, { name }) => {
        const roleName = checkName(name, 'role name');
        const role = await ctx.storage.getJSON<RoleRecord>(keys.role(roleName));
        if (!role) throw new BadRequestError(`unknown role: ${roleName}`);
        const cfg = await ctx.storage.getJSON<ConfigRecord>(keys.config(role.db_name));
        if (!cfg) throw new BadRequestError(`no database config "${role.db_name}" for role ${roleName}`);
        if (!roleAllowed(cfg.allowed_roles, roleName))
          throw new PermissionDeniedError(`"${roleName}" is not an allowed role of config "${role.db_name}"`);
        const { plugin } = await engine.pool(role.db_name);
        const now = ctx.system.now();
        let username: string;
        try {
          username = generateUsername(
            cfg.username_template,
            {
              displayName: sanitizeDisplayName(ctx.req.auth?.displayName),
              roleName,
              now,
              random: (n) => ctx.system.random(n),
            },
            plugin.maxUsernameLength,
          );
        } catch (err) {
          throw new BadRequestError((err as Error).message);
        }
        const password = await ctx.system.generatePassword(cfg.password_policy || undefined);
        const ttl = role.default_ttl || ctx.system.defaultLeaseTTL();
        const id = ctx.system.random(16).toString('hex');
        const walKey = keys.credsWal(id);
        const wal: IssuanceWal = { db: role.db_name, role: roleName, username, created: now.getTime() };
        await ctx.storage.putJSON(walKey, wal);
        try {
          await engine.createUser(
            role.db_name,
            {
              username,
              password,
              expiration: new Date(now.getTime() + ttl * 1000),
              statements: role.creation_statements,
              rollbackStatements: role.rollback_statements,
            },
            role.revocation_statements,
          );
        } catch (err) {
          // createUser already tried to drop the user; the WAL goes only once that is certain.
          try {
            await plugin.deleteUser({ username, statements: role.revocation_statements });
            await ctx.storage.delete(walKey);
          } catch {
            engine.retryLater(walKey, err);
          }
          throw err;
        }
        const internal: CredsInternal = { db_name: role.db_name, role: roleName, username, walKey };
        return {
          data: { username, password },
          secret: {
            type: 'creds',
            ttl: role.default_ttl,
            maxTTL: role.max_ttl,
            renewable: true,
            internal: { ...internal },
          },
        };
      },
    },
    help: {
      synopsis: 'Issue a database credential from a role.',
      description:
        'GET creates a database user with a generated username and password from the role and returns ' +
        'them with a lease. Revoking the lease (or its expiry) drops the user; renewing it extends the ' +
        "user's expiration. The response is secret.",
    },
    responses: { read: { username: 'Generated username.', password: 'Generated password (secret).' } },
  });
  return [creds];
}

function internalOf(lease: LeaseInfo): CredsInternal {
  const i = lease.internal;
  if (typeof i.db_name !== 'string' || typeof i.username !== 'string')
    throw new Error('database lease is missing db_name / username');
  return {
    db_name: i.db_name,
    role: typeof i.role === 'string' ? i.role : '',
    username: i.username,
    walKey: typeof i.walKey === 'string' ? i.walKey : '',
  };
}

export function credsSecret(engine: DatabaseEngine): SecretDefinition {
  const roleOf = async (name: string) =>
    name && !name.includes('/') ? engine.storage.getJSON<RoleRecord>(keys.role(name)) : undefined;
  return {
    async revoke(_ctx, lease) {
      const { db_name, role, username } = internalOf(lease);
      if (!(await engine.storage.has(keys.config(db_name))))
        throw new Error(`cannot revoke: database config "${db_name}" no longer exists`);
      const rec = await roleOf(role);
      const { plugin } = await engine.pool(db_name);
      await plugin.deleteUser({ username, statements: rec?.revocation_statements ?? [] });
    },
    async renew(_ctx, lease, increment) {
      const { db_name, role, username } = internalOf(lease);
      const rec = await roleOf(role);
      const now = engine.now();
      let ttl = increment > 0 ? increment : rec?.default_ttl || lease.ttl;
      if (rec && rec.max_ttl > 0)
        ttl = Math.min(ttl, Math.floor((lease.issueTime + rec.max_ttl * 1000 - now) / 1000));
      if (ttl <= 0) return { ttl: 0 };
      const { plugin } = await engine.pool(db_name);
      await plugin.updateUser({
        username,
        expiration: new Date(now + ttl * 1000),
        statements: rec?.renew_statements ?? [],
      });
      return { ttl };
    },
  };
}
