/** What the engine keeps in its storage view (behind the barrier). Keys never hold secrets. */
export interface ConfigRecord {
  plugin_name: string;
  /** connection_url, username and plugin-specific keys: everything but the password. */
  connection_details: Record<string, unknown>;
  password?: string;
  allowed_roles: string[];
  verify_connection: boolean;
  root_rotation_statements: string[];
  password_policy: string;
  username_template: string;
}

export interface RoleRecord {
  db_name: string;
  creation_statements: string[];
  revocation_statements: string[];
  rollback_statements: string[];
  renew_statements: string[];
  /** Seconds; 0 = the mount's default. */
  default_ttl: number;
  max_ttl: number;
  credential_type: 'password';
}

export interface StaticRoleRecord {
  db_name: string;
  username: string;
  /** Seconds; 0 when a schedule is used. */
  rotation_period: number;
  rotation_schedule: string;
  /** Seconds; 0 = no window. */
  rotation_window: number;
  rotation_statements: string[];
  credential_type: 'password';
  /** The password the database accepted last (absent until the first rotation succeeded). */
  password?: string;
  /** Unix ms of the last successful rotation (0 = never). */
  last_vault_rotation: number;
}

/** A rotation in flight: the password about to be set (root or static). */
export interface RotationWal {
  password: string;
  created: number;
}

/** A dynamic user being created: deleted on start-up unless core stored its lease. */
export interface IssuanceWal {
  db: string;
  role: string;
  username: string;
  created: number;
}

export const keys = {
  config: (name: string) => `config/${name}`,
  role: (name: string) => `role/${name}`,
  staticRole: (name: string) => `static-role/${name}`,
  rootWal: (name: string) => `wal/root/${name}`,
  staticWal: (name: string) => `wal/static/${name}`,
  credsWal: (id: string) => `wal/creds/${id}`,
};

/** Names of configs and roles: they appear in usernames and storage keys. */
export const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** `allowed_roles` holds names or globs with `*`; `*` alone allows every role. */
export function roleAllowed(allowed: readonly string[], role: string): boolean {
  return allowed.some((pattern) => {
    if (pattern === '*') return true;
    if (!pattern.includes('*')) return pattern === role;
    const re = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return re.test(role);
  });
}
