/**
 * Leases and database credentials (`npm run bench:leases -- [--creds 500] [--concurrency 16]
 * [--leases 100000]`):
 *
 * 1. A real `coffer server` (sqlite, pinned to CPU 0 when taskset is usable) issues `--creds`
 *    PostgreSQL users (`GET database/creds/<role>`, `--concurrency` in flight over keep-alive
 *    fetch) then revokes them (`PUT sys/leases/revoke {sync: true}`), for a plain role and for a
 *    role with a GRANT; a direct `pg` baseline runs the same CREATE ROLE / DROP ROLE statements at
 *    the same concurrency. At the end no `v-` role made by the run may remain in `pg_roles`.
 * 2. `--leases` leases are written into a sqlite file by an in-process Core (no PostgreSQL user
 *    behind them, TTL 1 h so none expires during the bench); a real server is then started on that
 *    file and unsealed over HTTP: unseal → ready time and RSS before / after.
 *
 * Prints a table and rewrites the `<!-- leases:start -->…<!-- leases:end -->` block of
 * bench/README.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Core } from '../src/core/core.ts';
import { silentLogger } from '../src/sdk/logger.ts';
import { builtinAuthRegistry, builtinRegistry } from '../src/server/registry.ts';
import { SqliteStorage } from '../src/storage/sqlite/sqlite.ts';
import { type Coffer, freePort, type Json, startCoffer, waitListening } from './coffer.ts';
import { pinned, pinningAvailable, SERVER_CPU } from './pinning.ts';
import { pool } from './pool.ts';
import { vmMB } from './proc.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = join(ROOT, 'src', 'main.ts');
const README = join(ROOT, 'bench', 'README.md');
const PG_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const CREATE = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`;
const GRANT = 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";';

const log = (line: string) => process.stderr.write(`${line}\n`);

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return n;
}

const { values } = parseArgs({
  options: {
    creds: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '16' },
    leases: { type: 'string', default: '100000' },
  },
  strict: true,
});
const N = positive('creds', values.creds);
const C = positive('concurrency', values.concurrency);
const LEASES = positive('leases', values.leases);

// ---- timing helpers ---------------------------------------------------------------------------

interface Phase {
  readonly count: number;
  readonly seconds: number;
  readonly perSec: number;
  readonly p50: number;
  readonly p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Runs `fn(0..n-1)` with `c` in flight; per-call latency in ms; rate over the wall time. */
async function timed(n: number, c: number, fn: (i: number) => Promise<void>): Promise<Phase> {
  const lat: number[] = [];
  const start = performance.now();
  await pool(n, c, async (i) => {
    const t = performance.now();
    await fn(i);
    lat.push(performance.now() - t);
  });
  const seconds = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  return { count: n, seconds, perSec: n / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

// ---- part 1: PostgreSQL credentials ------------------------------------------------------------

interface CredsResult {
  readonly role: string;
  readonly issue: Phase;
  readonly revoke: Phase;
  readonly directCreate: Phase;
  readonly directDrop: Phase;
  readonly directRetries: number;
}

async function call(s: Coffer, method: string, path: string, token: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${s.url}/v1/${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-vault-token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function vRoles(db: pg.Pool): Promise<Set<string>> {
  const r = await db.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%'");
  return new Set(r.rows.map((x) => x.rolname));
}

async function credsRun(s: Coffer, db: pg.Pool, role: string, grant: boolean): Promise<CredsResult> {
  const leaseIds: string[] = new Array(N);
  const issue = await timed(N, C, async (i) => {
    const out = await call(s, 'GET', `database/creds/${role}`, s.rootToken);
    if (!out?.lease_id || !out?.data?.username) throw new Error(`creds #${i}: no lease_id/username`);
    leaseIds[i] = out.lease_id;
  });
  const revoke = await timed(N, C, async (i) => {
    await call(s, 'PUT', 'sys/leases/revoke', s.rootToken, { lease_id: leaseIds[i], sync: true });
  });
  // The same statements issued directly (one transaction per user, as the plugin does).
  const tag = `b-${process.pid}-${grant ? 'g' : 'p'}`;
  const until = new Date(Date.now() + 3600_000).toISOString();
  // Concurrent GRANT/REVOKE on the same tables fail in PostgreSQL ("tuple concurrently updated",
  // deadlocks): the direct baseline retries them, and counts the retries.
  let retries = 0;
  const tx = async (sql: string[]) => {
    for (let attempt = 0; ; attempt++) {
      const c = await db.connect();
      try {
        await c.query('BEGIN');
        for (const q of sql) await c.query(q);
        await c.query('COMMIT');
        return;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        const code = (err as { code?: string }).code ?? '';
        if (attempt >= 100 || !['XX000', '40P01', '40001'].includes(code)) throw err;
        retries++;
      } finally {
        c.release();
      }
    }
  };
  // With a GRANT the direct baseline runs one at a time (what Coffer's plugin does too): at C in
  // flight PostgreSQL fails most of them ("tuple concurrently updated") and retries thrash.
  const dc = grant ? 1 : C;
  const directCreate = await timed(N, dc, (i) =>
    tx([
      `CREATE ROLE "${tag}-${i}" WITH LOGIN PASSWORD 'Bench-pw-${i}-xx' VALID UNTIL '${until}'`,
      ...(grant ? [`GRANT SELECT ON ALL TABLES IN SCHEMA public TO "${tag}-${i}"`] : []),
    ]),
  );
  const directDrop = await timed(N, dc, (i) =>
    tx([
      ...(grant ? [`REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM "${tag}-${i}"`] : []),
      `DROP ROLE "${tag}-${i}"`,
    ]),
  );
  return { role, issue, revoke, directCreate, directDrop, directRetries: retries };
}

async function partCreds(): Promise<{ results: CredsResult[]; leftovers: string[] }> {
  const db = new pg.Pool({ connectionString: PG_URL, max: C });
  const s = await startCoffer({ audit: false });
  const results: CredsResult[] = [];
  let leftovers: string[] = [];
  try {
    const before = await vRoles(db);
    // A few tables so the GRANT has something to do.
    for (let t = 0; t < 5; t++) await db.query(`CREATE TABLE IF NOT EXISTS bench_leases_t${t} (id int)`);
    await s.api('POST', 'sys/mounts/database', { type: 'database' }, s.rootToken);
    await s.api(
      'POST',
      'database/config/pg',
      {
        plugin_name: 'postgresql-database-plugin',
        connection_url: PG_URL,
        allowed_roles: 'bench,bench-grant',
      },
      s.rootToken,
    );
    const roleBody = (stmts: string[]) => ({ db_name: 'pg', creation_statements: stmts, default_ttl: '1h' });
    await s.api('POST', 'database/roles/bench', roleBody([CREATE]), s.rootToken);
    await s.api('POST', 'database/roles/bench-grant', roleBody([CREATE, GRANT]), s.rootToken);
    // Warm-up (connection pools, JIT), not counted.
    const warm = await call(s, 'GET', 'database/creds/bench', s.rootToken);
    await call(s, 'PUT', 'sys/leases/revoke', s.rootToken, { lease_id: warm.lease_id, sync: true });
    for (const [role, grant] of [
      ['bench', false],
      ['bench-grant', true],
    ] as const) {
      log(`creds: ${role}: issuing ${N} with ${C} in flight, then revoking`);
      results.push(await credsRun(s, db, role, grant));
    }
    const after = await vRoles(db);
    leftovers = [...after].filter((r) => !before.has(r)).sort();
    for (const r of leftovers) await db.query(`DROP ROLE IF EXISTS "${r.replaceAll('"', '""')}"`);
  } finally {
    // Direct-baseline roles left by a failure, then the tables.
    const left = await db.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [
      `b-${process.pid}-%`,
    ]);
    for (const { rolname } of left.rows)
      await db
        .query(
          `REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM "${rolname}"; DROP ROLE "${rolname}"`,
        )
        .catch(() => {});
    for (let t = 0; t < 5; t++) await db.query(`DROP TABLE IF EXISTS bench_leases_t${t}`).catch(() => {});
    await s.stop();
    await db.end();
  }
  return { results, leftovers };
}

// ---- part 2: lease restore at unseal ------------------------------------------------------------

interface RestoreResult {
  readonly leases: number;
  readonly writeSeconds: number;
  readonly unsealSeconds: number;
  readonly readySeconds: number;
  readonly listed: number;
  readonly loadLogged: string;
  readonly rssSealedMB: number;
  readonly rssReadyMB: number;
  readonly peakMB: number;
  readonly rssBaselineMB: number;
}

/** Writes `count` leases into a fresh sqlite file with an in-process Core; returns its unseal key. */
async function seedLeases(
  dbPath: string,
  count: number,
): Promise<{ key: string; rootToken: string; writeSeconds: number }> {
  const storage = await SqliteStorage.open({ path: dbPath });
  const core = new Core({
    physical: storage,
    storageType: 'sqlite',
    registry: builtinRegistry(),
    authRegistry: builtinAuthRegistry(),
    logger: silentLogger,
  });
  try {
    const { keys, rootToken } = await core.initialize({ secret_shares: 1, secret_threshold: 1 });
    await core.submitUnsealKey(keys[0] as Buffer);
    await core.handle({
      id: randomUUID(),
      operation: 'update',
      path: 'sys/mounts/database',
      data: { type: 'database' },
      headers: {},
      clientToken: rootToken,
      remoteAddr: '127.0.0.1',
    });
    const mount = core.mounts.all().find((m) => m.path === 'database/');
    if (!mount) throw new Error('seed: database/ is not mounted');
    const start = performance.now();
    await pool(count, 500, async (i) => {
      await core.expiration.register({
        path: 'database/creds/bench',
        mountUuid: mount.uuid,
        type: 'creds',
        internal: { username: `x${i}`, db_name: 'none', role: 'bench' },
        ttl: 3600,
        renewable: true,
        tokenHash: '',
      });
    });
    const writeSeconds = (performance.now() - start) / 1000;
    return { key: (keys[0] as Buffer).toString('base64'), rootToken, writeSeconds };
  } finally {
    await core.close();
    await storage.close();
  }
}

/** Starts a real server on `dir/coffer.db` (sealed); stderr is kept for the log lines. */
async function startOn(dir: string): Promise<{ url: string; proc: ChildProcess; stderr: () => string }> {
  const port = await freePort();
  const config = join(dir, 'coffer.hcl');
  writeFileSync(
    config,
    `storage "sqlite" {\n  path = "${join(dir, 'coffer.db')}"\n}\n` +
      `listener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\n`,
  );
  const [cmd, ...args] = pinned(process.execPath, [MAIN, 'server', `-config=${config}`], SERVER_CPU);
  const proc = spawn(cmd as string, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const url = `http://127.0.0.1:${port}`;
  await waitListening(`${url}/v1/sys/health`, proc, 'coffer server');
  return { url, proc, stderr: () => err };
}

async function stopProc(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  await exited;
}

/** The pid whose /proc figures count: the node process (taskset execs it, same pid). */
const rss = (pid: number) => vmMB(pid, 'VmRSS');

async function partRestore(count: number): Promise<RestoreResult> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-leases-'));
  try {
    log(`restore: writing ${count} leases in-process`);
    const seed = await seedLeases(join(dir, 'coffer.db'), count);
    log(`restore: ${count} leases written in ${seed.writeSeconds.toFixed(1)} s; starting the server`);
    const srv = await startOn(dir);
    const pid = srv.proc.pid as number;
    try {
      await new Promise((r) => setTimeout(r, 500));
      const rssSealedMB = rss(pid);
      const t0 = performance.now();
      const res = await fetch(`${srv.url}/v1/sys/unseal`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: seed.key }),
      });
      const status = (await res.json()) as Json;
      const unsealSeconds = (performance.now() - t0) / 1000;
      if (res.status !== 200) throw new Error(`unseal: HTTP ${res.status}`);
      let listed = 0;
      for (;;) {
        if (performance.now() - t0 > 600_000) throw new Error('restore: not ready after 600 s');
        const h = await fetch(`${srv.url}/v1/sys/health`);
        const health = (await h.json()) as Json;
        if (status.sealed === false && health.sealed === false) {
          const l = await fetch(`${srv.url}/v1/sys/leases/lookup/database/creds/bench`, {
            method: 'LIST',
            headers: { 'x-vault-token': seed.rootToken },
          });
          if (l.status === 200) {
            listed = ((await l.json()) as Json).data.keys.length;
            if (listed >= count) break;
          } else await l.text();
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      const readySeconds = (performance.now() - t0) / 1000;
      const rssReadyMB = rss(pid);
      const peakMB = vmMB(pid, 'VmHWM');
      const line = srv
        .stderr()
        .split('\n')
        .find((x) => x.includes('expiration: leases restored'));
      return {
        leases: count,
        writeSeconds: seed.writeSeconds,
        unsealSeconds,
        readySeconds,
        listed,
        loadLogged: line ?? '',
        rssSealedMB,
        rssReadyMB,
        peakMB,
        rssBaselineMB: 0,
      };
    } finally {
      await stopProc(srv.proc);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same measure with no leases: what a plain unseal costs in RSS, to isolate the leases' share. */
async function emptyUnsealRss(): Promise<{ sealed: number; ready: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-leases-'));
  try {
    const seed = await seedLeases(join(dir, 'coffer.db'), 0);
    const srv = await startOn(dir);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const sealed = rss(srv.proc.pid as number);
      const t0 = performance.now();
      const res = await fetch(`${srv.url}/v1/sys/unseal`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: seed.key }),
      });
      await res.text();
      const seconds = (performance.now() - t0) / 1000;
      return { sealed, ready: rss(srv.proc.pid as number), seconds };
    } finally {
      await stopProc(srv.proc);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- output ------------------------------------------------------------------------------------

const f2 = (n: number) => n.toFixed(2);
const f0 = (n: number) => n.toFixed(0);

function table(rows: string[][]): string {
  const [head, ...body] = rows as [string[], ...string[][]];
  const w = head.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length), 3));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ')} |`;
  const sep = `| ${w.map((n, i) => (i === 0 ? '-'.repeat(n) : `${'-'.repeat(n - 1)}:`)).join(' | ')} |`;
  return [line(head), sep, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const creds = await partCreds();
  const base = await emptyUnsealRss();
  const restore = await partRestore(LEASES);

  const credsRows: string[][] = [
    ['operation', 'count', 'per s', 'p50 ms', 'p99 ms', 'direct pg per s', 'ratio'],
  ];
  for (const r of creds.results) {
    credsRows.push([
      `issue creds/${r.role}`,
      String(r.issue.count),
      f0(r.issue.perSec),
      f2(r.issue.p50),
      f2(r.issue.p99),
      f0(r.directCreate.perSec),
      (r.issue.perSec / r.directCreate.perSec).toFixed(3),
    ]);
    credsRows.push([
      `revoke creds/${r.role}`,
      String(r.revoke.count),
      f0(r.revoke.perSec),
      f2(r.revoke.p50),
      f2(r.revoke.p99),
      f0(r.directDrop.perSec),
      (r.revoke.perSec / r.directDrop.perSec).toFixed(3),
    ]);
  }
  const restoreRows: string[][] = [
    ['leases', 'unseal s', 'ready s', 'RSS sealed MB', 'RSS ready MB', 'peak MB', 'RSS Δ vs 0 leases MB'],
    [
      String(restore.leases),
      f2(restore.unsealSeconds),
      f2(restore.readySeconds),
      f0(restore.rssSealedMB),
      f0(restore.rssReadyMB),
      f0(restore.peakMB),
      f0(restore.rssReadyMB - base.ready),
    ],
    ['0', f2(base.seconds), '–', f0(base.sealed), f0(base.ready), '–', '–'],
  ];
  const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores`;
  const notes = [
    ...creds.results
      .filter((r) => r.directRetries > 0)
      .map(
        (r) =>
          `- Direct pg for ${r.role}: ${r.directRetries} transactions retried after a concurrency conflict (XX000/40P01).`,
      ),
    `- Direct pg: the same CREATE ROLE (+ GRANT) / (REVOKE +) DROP ROLE, one transaction per user, ${C} in flight (1 for the GRANT role: concurrent GRANTs fail with "tuple concurrently updated"); ratio = Coffer per s ÷ direct per s.`,
    `- ${restore.leases} leases written in-process in ${f2(restore.writeSeconds)} s (${f0(restore.leases / restore.writeSeconds)}/s, 500 in flight); LIST sys/leases/lookup answered ${restore.listed} keys.`,
    creds.leftovers.length === 0
      ? `- pg_roles after the run: no \`v-\` role left by the run.`
      : `- **ERROR**: ${creds.leftovers.length} \`v-\` roles left in pg_roles by the run (dropped by the bench): ${creds.leftovers.slice(0, 5).join(', ')}`,
  ];
  const cmd = `npm run bench:leases -- --creds ${N} --concurrency ${C} --leases ${LEASES}`;
  const block = [
    `${started.toISOString()} · Node ${process.version} · ${machine} · pinning ${pinningAvailable() ? 'on' : 'off'} · \`${cmd}\``,
    '',
    table(credsRows),
    '',
    table(restoreRows),
    '',
    ...notes,
  ].join('\n');
  process.stdout.write(`${block}\n`);
  if (restore.loadLogged) process.stdout.write(`server log: ${restore.loadLogged}\n`);

  const text = readFileSync(README, 'utf8');
  const re = /<!-- leases:start -->[\s\S]*<!-- leases:end -->/;
  if (re.test(text)) {
    writeFileSync(README, text.replace(re, `<!-- leases:start -->\n${block}\n<!-- leases:end -->`));
    log('bench/README.md: leases block rewritten');
  }
  if (creds.leftovers.length > 0) process.exitCode = 1;
}

await main();
