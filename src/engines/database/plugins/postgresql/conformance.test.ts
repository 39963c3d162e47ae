import { after } from 'node:test';
import pg from 'pg';
import { type PgCluster, startPgCluster } from '../../../../../test/helpers/pg-cluster.ts';
import { pluginConformance } from '../../conformance.ts';
import { postgresqlPlugin } from './postgresql.ts';

async function query(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

async function canLogin(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

let cluster: Promise<PgCluster> | undefined;
const scram = () => {
  cluster ??= startPgCluster();
  return cluster;
};
after(async () => {
  if (cluster) await (await cluster).destroy();
});

pluginConformance('postgresql (scram cluster)', async () => {
  const c = await scram();
  return {
    plugin: postgresqlPlugin(),
    config: {
      connection_url: `postgres://{{username}}:{{password}}@127.0.0.1:${c.port}/postgres`,
      username: 'postgres',
      password: c.adminPassword,
    },
    canLogin: (u, p) => canLogin(c.url(u, p)),
    userExists: async (u) =>
      ((await query(c.adminUrl, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [u])).rowCount ?? 0) > 0,
    cleanup: async () => {},
  };
});

const LOCAL = 'postgres://postgres@127.0.0.1:5432/postgres';
pluginConformance('postgresql (machine server)', async () => ({
  plugin: postgresqlPlugin(),
  config: { connection_url: LOCAL },
  userExists: async (u) =>
    ((await query(LOCAL, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [u])).rowCount ?? 0) > 0,
  cleanup: async () => {},
}));
