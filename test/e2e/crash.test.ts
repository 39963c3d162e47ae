/**
 * Crash test (tier 5): concurrent writers against a real sqlite server, `kill -9` mid-stream,
 * restart on the same file and unseal: every write that got a 2xx reads back, value and version.
 *
 * Each round runs unique-key writers (`crash/r<round>/w<i>/<n>`, always version 1) alongside
 * writers that keep overwriting a few hot keys (`crash/hot/<k>`, contended, versions climbing
 * across rounds), kills the server with SIGKILL while they run, restarts it and checks every
 * acknowledged write of every round so far. Three rounds.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { type ServerProcess, startServerProcess, tempDir } from '../helpers/process.ts';
import { redact } from '../helpers/redact.ts';

const ROUNDS = 3;
const UNIQUE_WRITERS = 8;
const HOT_WRITERS = 4;
const HOT_KEYS = 4;
/** KV v2 keeps this many versions by default; older ones are pruned by later writes. */
const MAX_VERSIONS = 10;

interface Ack {
  version: number;
  value: string;
}

async function call(
  url: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; signal?: AbortSignal } = {},
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of the API
): Promise<{ status: number; text: string; json: any }> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers['X-Vault-Token'] = opts.token;
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

async function unseal(url: string, keys: string[]): Promise<void> {
  let sealed = true;
  for (const key of keys) {
    const r = await call(url, 'PUT', '/v1/sys/unseal', { body: { key } });
    assert.equal(r.status, 200, `unseal: ${redact(r.text)}`);
    sealed = r.json.sealed;
  }
  assert.equal(sealed, false, 'unsealed');
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Checks the file's structure on a copy (so the live files the server recovers from stay as they are). */
function integrityCheck(dbPath: string, scratch: string): string {
  mkdirSync(scratch, { recursive: true });
  for (const suffix of ['', '-wal']) {
    if (existsSync(`${dbPath}${suffix}`))
      copyFileSync(`${dbPath}${suffix}`, join(scratch, `copy.db${suffix}`));
  }
  const db = new DatabaseSync(join(scratch, 'copy.db'));
  try {
    const row = db.prepare('PRAGMA integrity_check').get() as Record<string, unknown>;
    return String(Object.values(row)[0]);
  } finally {
    db.close();
  }
}

const tmp = tempDir('coffer-e2e-crash-');
let server: ServerProcess | undefined;
after(async () => {
  await server?.stop('SIGKILL');
  tmp.cleanup();
});

test('kill -9 mid-stream, three times: every acknowledged write reads back', {
  timeout: 90_000,
}, async () => {
  const dbPath = join(tmp.dir, 'coffer.db');
  const config = `storage "sqlite" {\n  path = "${dbPath}"\n}\n`;
  server = await startServerProcess({ configHCL: config, dir: tmp.dir });
  const init = await call(server.url, 'POST', '/v1/sys/init', {
    body: { secret_shares: 3, secret_threshold: 2 },
  });
  assert.equal(init.status, 200, init.text);
  const keys = init.json.keys as string[];
  const token = init.json.root_token as string;
  await unseal(server.url, [keys[0]!, keys[1]!]);
  const m = await call(server.url, 'POST', '/v1/sys/mounts/secret', {
    token,
    body: { type: 'kv', options: { version: '2' } },
  });
  assert.equal(m.status, 204, m.text);

  /** Every acknowledged write of a unique key, over all rounds. */
  const unique = new Map<string, Ack>();
  /** Every acknowledged version of each hot key, over all rounds. */
  const hot = new Map<string, Ack[]>();
  const perRound: Array<{ unique: number; hot: number; failed: number }> = [];

  for (let round = 1; round <= ROUNDS; round++) {
    const srv: ServerProcess = server;
    const url = srv.url;
    let stop = false;
    let acked = 0;
    let failed = 0;
    let hotAcked = 0;

    const uniqueWriter = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const key = `crash/r${round}/w${w}/${n}`;
        const value = `${key}:${randomBytes(12).toString('hex')}`;
        let r: Awaited<ReturnType<typeof call>>;
        try {
          r = await call(url, 'POST', `/v1/secret/data/${key}`, { token, body: { data: { value, n } } });
        } catch {
          failed++;
          return; // the server is gone: this write was not acknowledged
        }
        if (r.status < 200 || r.status > 299) {
          failed++;
          return;
        }
        assert.equal(r.json.data.version, 1, `${key}: first version`);
        unique.set(key, { version: r.json.data.version, value });
        acked++;
      }
    };
    const hotWriter = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const key = `crash/hot/${(n + w) % HOT_KEYS}`;
        const value = `${key}:r${round}:w${w}:${n}:${randomBytes(8).toString('hex')}`;
        let r: Awaited<ReturnType<typeof call>>;
        try {
          r = await call(url, 'POST', `/v1/secret/data/${key}`, { token, body: { data: { value } } });
        } catch {
          failed++;
          return;
        }
        if (r.status < 200 || r.status > 299) {
          failed++;
          return;
        }
        const list = hot.get(key) ?? [];
        list.push({ version: r.json.data.version, value });
        hot.set(key, list);
        hotAcked++;
      }
    };

    const writers = [
      ...Array.from({ length: UNIQUE_WRITERS }, (_, w) => uniqueWriter(w)),
      ...Array.from({ length: HOT_WRITERS }, (_, w) => hotWriter(w)),
    ];
    // Let them run ~1.5 s (at least until some writes are acknowledged), then kill -9 mid-stream.
    const started = Date.now();
    while (Date.now() - started < 1500 || acked + hotAcked < 50) {
      if (Date.now() - started > 10_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const inFlightAtKill = acked + hotAcked;
    await srv.stop('SIGKILL');
    stop = true;
    await Promise.all(writers);
    assert.equal(srv.proc.signalCode, 'SIGKILL', 'the server died of SIGKILL');
    assert.ok(
      acked > 0 && hotAcked > 0,
      `round ${round}: writes acknowledged (${acked} unique, ${hotAcked} hot)`,
    );
    assert.ok(failed > 0, `round ${round}: the kill interrupted the writers (none failed)`);
    perRound.push({ unique: acked, hot: hotAcked, failed });
    console.log(
      `round ${round}: ${acked} unique + ${hotAcked} overwrites acknowledged before kill -9 ` +
        `(${inFlightAtKill} when the kill was sent; ${failed} writers cut off)`,
    );

    assert.equal(integrityCheck(dbPath, join(tmp.dir, `check-${round}`)), 'ok', 'sqlite integrity_check');

    // Restart on the same file; sealed again until the shares come back.
    server = await startServerProcess({ configHCL: config, dir: tmp.dir });
    const next = server.url;
    const st = await call(next, 'GET', '/v1/sys/seal-status');
    assert.equal(st.json.sealed, true, 'sealed after the restart');
    await unseal(next, [keys[round % 3]!, keys[(round + 1) % 3]!]);

    // Every acknowledged unique write, of this round and the earlier ones.
    const missing: string[] = [];
    await pool([...unique], 16, async ([key, ack]) => {
      const r = await call(next, 'GET', `/v1/secret/data/${key}?version=${ack.version}`, { token });
      if (
        r.status !== 200 ||
        r.json?.data?.data?.value !== ack.value ||
        r.json.data.metadata.version !== ack.version
      ) {
        missing.push(`${key} v${ack.version}: ${r.status} ${r.text.slice(0, 200)}`);
      }
    });
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} acknowledged writes lost or wrong`);

    // Every hot key: at least the last acknowledged version; every acknowledged version still kept
    // (not yet pruned by max_versions) reads back with its value.
    for (const [key, acks] of hot) {
      const meta = await call(next, 'GET', `/v1/secret/metadata/${key}`, { token });
      assert.equal(meta.status, 200, `${key} metadata: ${redact(meta.text)}`);
      const current = meta.json.data.current_version as number;
      const last = Math.max(...acks.map((a) => a.version));
      assert.ok(current >= last, `${key}: current_version ${current} < acknowledged ${last}`);
      // At most one unacknowledged write per hot writer can follow the last acknowledged one.
      assert.ok(current - last <= HOT_WRITERS, `${key}: ${current - last} versions after the last acked`);
      const versions = new Set<number>();
      for (const ack of acks) {
        assert.ok(!versions.has(ack.version), `${key}: version ${ack.version} acknowledged twice`);
        versions.add(ack.version);
        if (ack.version <= current - MAX_VERSIONS) continue; // pruned since: fine
        const r = await call(next, 'GET', `/v1/secret/data/${key}?version=${ack.version}`, { token });
        assert.equal(r.status, 200, `${key} v${ack.version}: ${redact(r.text)}`);
        assert.equal(r.json.data.data.value, ack.value, `${key} v${ack.version}: value`);
      }
      const latest = await call(next, 'GET', `/v1/secret/data/${key}?version=${last}`, { token });
      assert.equal(latest.json.data.data.value, acks.find((a) => a.version === last)!.value);
    }

    // The restarted server logged no errors (no integrity failures, no storage errors).
    const errors = server
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"level":"error"'));
    assert.deepEqual(errors, [], 'errors in the log after the restart');
  }

  const total = perRound.reduce((s, r) => s + r.unique + r.hot, 0);
  console.log(`${ROUNDS} rounds: ${total} acknowledged writes, all read back (${unique.size} unique keys)`);
  assert.equal(
    unique.size,
    perRound.reduce((s, r) => s + r.unique, 0),
  );
  // A last write and read on the server that survived three crashes.
  const r = await call(server.url, 'POST', '/v1/secret/data/crash/after', {
    token,
    body: { data: { ok: true } },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(await server.stop('SIGTERM'), 0);
});
