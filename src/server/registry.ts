import { approleFactory } from '../auth/approle/index.ts';
import { userpassFactory } from '../auth/userpass/index.ts';
import type { BackendRegistry } from '../core/router/router.ts';
import { createDatabaseFactory } from '../engines/database/index.ts';
import { mysqlPlugin } from '../engines/database/plugins/mysql/mysql.ts';
import { postgresqlPlugin } from '../engines/database/plugins/postgresql/postgresql.ts';
import { redisPlugin } from '../engines/database/plugins/redis/redis.ts';
import { kvFactory } from '../engines/kv/index.ts';

/** Every secrets engine type a user can enable. The composition root is the only place that lists them. */
export function builtinRegistry(): BackendRegistry {
  return new Map([
    ['kv', kvFactory],
    [
      'database',
      createDatabaseFactory(
        new Map([
          ['postgresql-database-plugin', postgresqlPlugin],
          ['mysql-database-plugin', mysqlPlugin],
          ['redis-database-plugin', redisPlugin],
        ]),
      ),
    ],
  ]);
}

/** Every auth method type a user can enable. */
export function builtinAuthRegistry(): BackendRegistry {
  return new Map([
    ['userpass', userpassFactory],
    ['approle', approleFactory],
  ]);
}
