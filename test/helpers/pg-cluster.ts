/**
 * A throwaway PostgreSQL cluster with scram-sha-256 password authentication, for tests that must
 * prove a password works or stops working (the machine's cluster trusts every local connection).
 * Runs the machine's binaries as the `postgres` OS user when we are root. Each cluster lives in its
 * own temp dir and is stopped (immediate mode) when the process exits, so a crashed run leaves at
 * most a data dir behind and never blocks the next one.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './process.ts';

const run = promisify(execFile);

export interface PgCluster {
  port: number;
  /** Superuser password of `postgres` (already in adminUrl). */
  adminPassword: string;
  /** postgres://user:password@127.0.0.1:port/postgres, both parts URI-encoded. */
  url(user: string, password: string, database?: string): string;
  adminUrl: string;
  /** Fast shutdown, keeping the data dir (outage tests). */
  stop(): Promise<void>;
  /** Start again on the same port. */
  start(): Promise<void>;
  /** Stop and remove everything. Idempotent. */
  destroy(): Promise<void>;
}

function binDir(): string {
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  return join('/usr/lib/postgresql', versions[0]!, 'bin');
}

const isRoot = process.getuid?.() === 0;
let pgIds: { uid: number; gid: number } | undefined;
function postgresIds(): { uid: number; gid: number } {
  if (!pgIds) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    pgIds = { uid, gid };
  }
  return pgIds;
}

/** Runs a PostgreSQL binary as the postgres user (we may be root, which initdb/postgres refuse). */
async function pgRun(bin: string, args: string[]): Promise<void> {
  const opts = isRoot
    ? { ...postgresIds(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' } }
    : {};
  await run(bin, args, { ...opts, timeout: 60_000 });
}

function chownTree(path: string): void {
  if (!isRoot) return;
  const { uid, gid } = postgresIds();
  chownSync(path, uid, gid);
}

/** Clusters still running in this process, stopped synchronously on exit. */
const live = new Set<{ ctl: string; data: string }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const stopAll = () => {
    for (const c of live) {
      try {
        const opts = isRoot ? { ...postgresIds(), stdio: 'ignore' as const } : { stdio: 'ignore' as const };
        execFileSync(c.ctl, ['-D', c.data, '-m', 'immediate', '-w', 'stop'], { ...opts, timeout: 10_000 });
      } catch {
        // already gone
      }
    }
    live.clear();
  };
  process.once('exit', stopAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      stopAll();
      process.exit(130);
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops and removes clusters left by test processes that died without cleaning up (SIGKILL). */
async function sweepLeftovers(bin: string): Promise<void> {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const root = join(tmpdir(), name);
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(join(root, 'owner.pid'), 'utf8'));
    } catch {
      // no owner file: being created right now, or not ours
      continue;
    }
    if (!Number.isInteger(owner) || alive(owner)) continue;
    if (existsSync(join(root, 'data', 'postmaster.pid'))) {
      await pgRun(join(bin, 'pg_ctl'), ['-D', join(root, 'data'), '-m', 'immediate', '-w', 'stop']).catch(
        () => {},
      );
    }
    rmSync(root, { recursive: true, force: true });
  }
}

const PREFIX = 'coffer-pg-';

export async function startPgCluster(): Promise<PgCluster> {
  const t0 = performance.now();
  const bin = binDir();
  await sweepLeftovers(bin);
  const root = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(root, 'owner.pid'), String(process.pid));
  const data = join(root, 'data');
  const sock = join(root, 'sock');
  const pwfile = join(root, 'pw');
  const adminPassword = randomBytes(18).toString('base64url');
  writeFileSync(pwfile, `${adminPassword}\n`, { mode: 0o600 });
  for (const p of [root, pwfile]) chownTree(p);
  const entry = { ctl: join(bin, 'pg_ctl'), data };
  try {
    await pgRun(join(bin, 'initdb'), [
      '-A',
      'scram-sha-256',
      `--pwfile=${pwfile}`,
      '-U',
      'postgres',
      '-D',
      data,
      '--no-sync',
      '--no-instructions',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    rmSync(pwfile, { force: true });
    // The socket dir is made by us and handed over (postgres must create its lock file there).
    execFileSync('mkdir', ['-p', sock]);
    chownTree(sock);
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(err as Error).message}`);
  }
  const port = await freePort();
  const start = async () => {
    await pgRun(join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      join(root, 'log'),
      '-o',
      `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      '-w',
      '-t',
      '30',
      'start',
    ]);
    live.add(entry);
  };
  const stop = async () => {
    if (!live.has(entry)) return;
    await pgRun(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    live.delete(entry);
  };
  installExitHook();
  try {
    await start();
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${(err as Error).message}`);
  }
  const url = (user: string, password: string, database = 'postgres') =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const ms = Math.round(performance.now() - t0);
  process.stderr.write(`# pg-cluster: initdb + start on port ${port} in ${ms} ms\n`);
  return {
    port,
    adminPassword,
    url,
    adminUrl: url('postgres', adminPassword),
    stop,
    start,
    destroy: async () => {
      try {
        await stop();
      } catch {
        // keep removing
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
