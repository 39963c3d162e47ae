/**
 * End-to-end (tier 5): a real `coffer server` process on sqlite.
 *
 * - No byte of a written secret value, of the root token or of a key share is in the storage file
 *   (nor its -wal / -shm), in the server's log or in its stdout.
 * - A stored ciphertext with one byte flipped, truncated, or copied to another path reads as
 *   `500 {"errors":["internal error"]}` with an `integrity` log line (which names no secret), never
 *   as data; the server keeps serving everything else.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { type ServerProcess, startServerProcess, tempDir } from '../helpers/process.ts';
import { redact } from '../helpers/redact.ts';

interface Reply {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of the API
  json: any;
}

async function call(
  url: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers['X-Vault-Token'] = opts.token;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

function expectStatus(r: Reply, status: number, what: string): void {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status}: ${redact(r.text)}`);
}

interface InitResult {
  keys: string[];
  keys_base64: string[];
  root_token: string;
}

async function initAndUnseal(url: string): Promise<InitResult> {
  const init = await call(url, 'POST', '/v1/sys/init', { body: { secret_shares: 3, secret_threshold: 2 } });
  expectStatus(init, 200, 'sys/init');
  const result = init.json as InitResult;
  await unseal(url, [result.keys[0]!, result.keys_base64[1]!]);
  return result;
}

async function unseal(url: string, keys: string[]): Promise<void> {
  let last: Reply | undefined;
  for (const key of keys) {
    last = await call(url, 'PUT', '/v1/sys/unseal', { body: { key } });
    expectStatus(last, 200, 'sys/unseal');
  }
  assert.equal(last?.json.sealed, false, `still sealed after ${keys.length} shares: ${last?.text}`);
}

async function mount(url: string, token: string, path: string, version: '1' | '2'): Promise<void> {
  const r = await call(url, 'POST', `/v1/sys/mounts/${path}`, {
    token,
    body: { type: 'kv', options: { version } },
  });
  expectStatus(r, 204, `mount ${path}`);
}

const hex32 = () => randomBytes(16).toString('hex');

function sqliteConfig(dir: string, extra = ''): string {
  return `storage "sqlite" {\n  path = "${join(dir, 'coffer.db')}"\n}\n${extra}\n`;
}

// ---------------------------------------------------------------------------------------------
// Needles: every form in which a secret could show up in a file or a log.

interface Needle {
  label: string;
  bytes: Buffer;
}

/** A secret string: as UTF-8, base64 and hex of its UTF-8, and every 16-character chunk of it. */
function stringNeedles(label: string, value: string): Needle[] {
  const utf8 = Buffer.from(value, 'utf8');
  const out: Needle[] = [
    { label: `${label} (utf-8)`, bytes: utf8 },
    { label: `${label} (base64 of utf-8)`, bytes: Buffer.from(utf8.toString('base64')) },
    { label: `${label} (hex of utf-8)`, bytes: Buffer.from(utf8.toString('hex')) },
    { label: `${label} (JSON-escaped)`, bytes: Buffer.from(JSON.stringify(value).slice(1, -1)) },
  ];
  if (value.length >= 32) {
    for (let i = 0; i + 16 <= value.length; i += 16) {
      out.push({
        label: `${label} (chars ${i}..${i + 16})`,
        bytes: Buffer.from(value.slice(i, i + 16), 'utf8'),
      });
    }
  }
  return out;
}

/** A key share (hex from sys/init): hex (both cases), base64, base64url, raw bytes and raw halves. */
function shareNeedles(label: string, hex: string): Needle[] {
  const raw = Buffer.from(hex, 'hex');
  assert.equal(raw.length, 33, `${label}: a share is 32 y bytes and 1 x byte`);
  return [
    { label: `${label} (hex)`, bytes: Buffer.from(hex.toLowerCase()) },
    { label: `${label} (HEX)`, bytes: Buffer.from(hex.toUpperCase()) },
    { label: `${label} (base64)`, bytes: Buffer.from(raw.toString('base64')) },
    { label: `${label} (base64url)`, bytes: Buffer.from(raw.toString('base64url')) },
    { label: `${label} (raw bytes)`, bytes: raw },
    { label: `${label} (raw y bytes)`, bytes: raw.subarray(0, 32) },
    { label: `${label} (raw bytes 0..16)`, bytes: raw.subarray(0, 16) },
    { label: `${label} (raw bytes 16..32)`, bytes: raw.subarray(16, 32) },
    { label: `${label} (hex chars 0..32)`, bytes: Buffer.from(hex.slice(0, 32).toLowerCase()) },
    { label: `${label} (hex chars 32..64)`, bytes: Buffer.from(hex.slice(32, 64).toLowerCase()) },
  ];
}

/** A token `hvs.` + 24 base62 characters: the whole token, its random part, base64 of both. */
function tokenNeedles(label: string, token: string): Needle[] {
  const body = token.startsWith('hvs.') ? token.slice(4) : token;
  return [
    { label: `${label}`, bytes: Buffer.from(token) },
    { label: `${label} (random part)`, bytes: Buffer.from(body) },
    { label: `${label} (random part, first 12)`, bytes: Buffer.from(body.slice(0, 12)) },
    { label: `${label} (random part, last 12)`, bytes: Buffer.from(body.slice(-12)) },
    { label: `${label} (base64)`, bytes: Buffer.from(Buffer.from(token).toString('base64')) },
    { label: `${label} (hex)`, bytes: Buffer.from(Buffer.from(token).toString('hex')) },
  ];
}

function findLeaks(haystacks: Array<{ name: string; bytes: Buffer }>, needles: Needle[]): string[] {
  const leaks: string[] = [];
  for (const h of haystacks) {
    for (const n of needles) {
      const at = h.bytes.indexOf(n.bytes);
      if (at !== -1) leaks.push(`${n.label} found in ${h.name} at byte ${at}`);
    }
  }
  return leaks;
}

/** Reads the db file and its -wal / -shm companions (when present). */
function storageFiles(dbPath: string, tag: string): Array<{ name: string; bytes: Buffer }> {
  const out: Array<{ name: string; bytes: Buffer }> = [];
  for (const suffix of ['', '-wal', '-shm', '-journal', '.lock']) {
    const p = `${dbPath}${suffix}`;
    if (existsSync(p)) out.push({ name: `${tag}coffer.db${suffix}`, bytes: readFileSync(p) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

describe('no secret leaks into storage, logs or stdout', { timeout: 60_000 }, () => {
  const tmp = tempDir('coffer-e2e-noleak-');
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop('SIGKILL');
    tmp.cleanup();
  });

  test('values, root token and key shares are nowhere in the db file, -wal, -shm, stderr or stdout', async () => {
    const dbPath = join(tmp.dir, 'coffer.db');
    // Debug logging: every request is logged, so the log sees as much as it ever will.
    server = await startServerProcess({
      configHCL: sqliteConfig(tmp.dir, 'log_level = "debug"'),
      dir: tmp.dir,
    });
    const url = server.url;

    const init = await initAndUnseal(url);
    const root = init.root_token;
    assert.match(root, /^hvs\.[A-Za-z0-9]{24}$/);
    const shareHex = [...init.keys];
    // keys and keys_base64 are the same shares.
    for (let i = 0; i < 3; i++) {
      assert.equal(Buffer.from(init.keys_base64[i]!, 'base64').toString('hex'), init.keys[i]);
    }

    await mount(url, root, 'secret', '2');
    await mount(url, root, 'kv1', '1');

    const secrets: Record<string, string> = {
      v2Password: hex32(),
      v2Long: randomBytes(3000).toString('base64'),
      v2Unicode: `pässwörd-ключ-${hex32()}`,
      v2FieldName: hex32(),
      v2Patched: hex32(),
      v2Version3: hex32(),
      v2CustomMetadata: hex32(),
      v2AfterRotate: hex32(),
      v2Deleted: hex32(),
      v2Destroyed: hex32(),
      v1Value: hex32(),
      v1Long: randomBytes(1500).toString('hex'),
      // Sent only in requests that fail: must not end up in the log either.
      inMalformedBody: hex32(),
      inUnknownField: hex32(),
      inWrongTypedField: hex32(),
      inUnmountedPath: hex32(),
      inQueryString: hex32(),
      withWrongToken: hex32(),
      whileSealed: hex32(),
    };
    const wrongTokens = [
      `hvs.${randomBytes(18)
        .toString('base64')
        .replace(/[^A-Za-z0-9]/g, 'x')
        .slice(0, 24)}`,
      `s.${hex32()}`,
    ];

    // --- KV v2: write, read back, list, metadata, patch, versions, delete, destroy.
    let r = await call(url, 'POST', '/v1/secret/data/app/db', {
      token: root,
      body: {
        data: {
          user: 'app',
          password: secrets.v2Password,
          long: secrets.v2Long,
          unicode: secrets.v2Unicode,
          [secrets.v2FieldName!]: 'value-under-a-secret-field-name',
        },
      },
    });
    expectStatus(r, 200, 'write app/db');
    r = await call(url, 'GET', '/v1/secret/data/app/db', { token: root });
    expectStatus(r, 200, 'read app/db');
    assert.equal(r.json.data.data.password, secrets.v2Password);
    assert.equal(r.json.data.data.long, secrets.v2Long);
    assert.equal(r.json.data.data.unicode, secrets.v2Unicode);
    assert.equal(r.json.data.data[secrets.v2FieldName!], 'value-under-a-secret-field-name');

    r = await call(url, 'POST', '/v1/secret/metadata/app/db', {
      token: root,
      body: { custom_metadata: { owner: secrets.v2CustomMetadata } },
    });
    expectStatus(r, 204, 'metadata write app/db');
    r = await call(url, 'GET', '/v1/secret/metadata/app/db', { token: root });
    expectStatus(r, 200, 'metadata read app/db');
    assert.equal(r.json.data.custom_metadata.owner, secrets.v2CustomMetadata);

    r = await call(url, 'PATCH', '/v1/secret/data/app/db', {
      token: root,
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { data: { password: secrets.v2Patched } },
    });
    expectStatus(r, 200, 'patch app/db');
    assert.equal(r.json.data.version, 2);
    r = await call(url, 'POST', '/v1/secret/data/app/db', {
      token: root,
      body: { data: { password: secrets.v2Version3 }, options: { cas: 2 } },
    });
    expectStatus(r, 200, 'cas write app/db');
    r = await call(url, 'GET', '/v1/secret/data/app/db?version=2', { token: root });
    expectStatus(r, 200, 'read app/db v2');
    assert.equal(r.json.data.data.password, secrets.v2Patched);
    assert.equal(r.json.data.data.long, secrets.v2Long);
    r = await call(url, 'GET', '/v1/secret/subkeys/app/db?version=1', { token: root });
    expectStatus(r, 200, 'subkeys app/db');

    for (const [name, value] of [
      ['deleted', secrets.v2Deleted],
      ['destroyed', secrets.v2Destroyed],
    ] as const) {
      r = await call(url, 'POST', `/v1/secret/data/app/${name}`, { token: root, body: { data: { value } } });
      expectStatus(r, 200, `write app/${name}`);
    }
    r = await call(url, 'DELETE', '/v1/secret/data/app/deleted', { token: root });
    expectStatus(r, 204, 'soft delete');
    r = await call(url, 'POST', '/v1/secret/undelete/app/deleted', { token: root, body: { versions: [1] } });
    expectStatus(r, 204, 'undelete');
    r = await call(url, 'PUT', '/v1/secret/destroy/app/destroyed', { token: root, body: { versions: [1] } });
    expectStatus(r, 204, 'destroy');

    r = await call(url, 'LIST', '/v1/secret/metadata/app', { token: root });
    expectStatus(r, 200, 'LIST app');
    assert.deepEqual(r.json.data.keys, ['db', 'deleted', 'destroyed']);
    r = await call(url, 'GET', '/v1/secret/metadata/?list=true', { token: root });
    expectStatus(r, 200, 'list root');

    // --- KV v1.
    r = await call(url, 'POST', '/v1/kv1/team/api', {
      token: root,
      body: { token: secrets.v1Value, long: secrets.v1Long },
    });
    expectStatus(r, 204, 'kv1 write');
    r = await call(url, 'GET', '/v1/kv1/team/api', { token: root });
    expectStatus(r, 200, 'kv1 read');
    assert.deepEqual(r.json.data, { token: secrets.v1Value, long: secrets.v1Long });
    r = await call(url, 'LIST', '/v1/kv1/team', { token: root });
    expectStatus(r, 200, 'kv1 list');
    assert.deepEqual(r.json.data.keys, ['api']);

    // --- Requests that fail, carrying secrets.
    r = await call(url, 'POST', '/v1/secret/data/app/bad', {
      token: root,
      rawBody: `{"data":{"password":"${secrets.inMalformedBody}"`,
    });
    expectStatus(r, 400, 'malformed JSON');
    r = await call(url, 'POST', '/v1/secret/data/app/bad', {
      token: root,
      body: { data: { a: 1 }, bogus: secrets.inUnknownField },
    });
    expectStatus(r, 400, 'unknown field');
    r = await call(url, 'POST', '/v1/secret/data/app/bad', {
      token: root,
      body: { data: secrets.inWrongTypedField },
    });
    expectStatus(r, 400, 'wrongly typed data');
    assert.ok(
      !r.text.includes(secrets.inWrongTypedField!),
      `the ${r.status} answer echoes the sent value (body not shown: it holds the value)`,
    );
    r = await call(url, 'POST', '/v1/nomount/app/x', {
      token: root,
      body: { password: secrets.inUnmountedPath },
    });
    assert.ok(r.status >= 400 && r.status < 500, `write to an unmounted path: ${r.status} ${redact(r.text)}`);
    r = await call(url, 'GET', `/v1/secret/data/app/db?version=${secrets.inQueryString}`, { token: root });
    expectStatus(r, 400, 'a secret as a bad query value');
    for (const wrong of wrongTokens) {
      r = await call(url, 'GET', '/v1/secret/data/app/db', { token: wrong });
      expectStatus(r, 403, 'read with a wrong token');
      assert.ok(!r.text.includes(secrets.v2Password!));
      r = await call(url, 'POST', '/v1/secret/data/app/db', {
        token: wrong,
        body: { data: { password: secrets.withWrongToken } },
      });
      expectStatus(r, 403, 'write with a wrong token');
      r = await call(url, 'GET', '/v1/secret/data/app/db', { headers: { Authorization: `Bearer ${wrong}` } });
      expectStatus(r, 403, 'read with a wrong bearer token');
    }
    r = await call(url, 'GET', '/v1/secret/data/app/db');
    expectStatus(r, 403, 'read without a token');

    // --- Rotate the barrier key, write and read under the new term.
    r = await call(url, 'POST', '/v1/sys/rotate', { token: root });
    expectStatus(r, 204, 'sys/rotate');
    r = await call(url, 'POST', '/v1/secret/data/app/rotated', {
      token: root,
      body: { data: { value: secrets.v2AfterRotate } },
    });
    expectStatus(r, 200, 'write after rotate');

    // --- Rekey: new shares for the same root key (they are secrets too).
    r = await call(url, 'POST', '/v1/sys/rekey/init', { body: { secret_shares: 3, secret_threshold: 2 } });
    expectStatus(r, 200, 'rekey/init');
    const nonce = r.json.nonce as string;
    r = await call(url, 'POST', '/v1/sys/rekey/update', { body: { key: init.keys[2], nonce } });
    expectStatus(r, 200, 'rekey/update 1');
    r = await call(url, 'POST', '/v1/sys/rekey/update', { body: { key: init.keys_base64[0], nonce } });
    expectStatus(r, 200, 'rekey/update 2');
    assert.equal(r.json.complete, true, `rekey not complete: ${redact(r.text)}`);
    const newShares = r.json.keys as string[];
    assert.equal(newShares.length, 3);
    shareHex.push(...newShares);

    // --- Seal, a request while sealed, unseal with the new shares (a repeated one first).
    r = await call(url, 'PUT', '/v1/sys/seal', { token: root });
    expectStatus(r, 204, 'sys/seal');
    r = await call(url, 'POST', '/v1/secret/data/app/sealed', {
      token: root,
      body: { data: { v: secrets.whileSealed } },
    });
    expectStatus(r, 503, 'write while sealed');
    // An old share with a new one does not unseal (400, progress reset); a reset discards a share.
    r = await call(url, 'PUT', '/v1/sys/unseal', { body: { key: init.keys[1] } });
    expectStatus(r, 200, 'unseal with an old share (progress 1)');
    r = await call(url, 'PUT', '/v1/sys/unseal', { body: { key: newShares[0] } });
    expectStatus(r, 400, 'unseal with an old and a new share');
    assert.equal(r.json.sealed, undefined);
    r = await call(url, 'PUT', '/v1/sys/unseal', { body: { key: newShares[0] } });
    expectStatus(r, 200, 'unseal after a failed round');
    assert.equal(r.json.progress, 1);
    r = await call(url, 'PUT', '/v1/sys/unseal', { body: { reset: true } });
    expectStatus(r, 200, 'unseal reset');
    assert.equal(r.json.progress, 0);
    await unseal(url, [newShares[2]!, Buffer.from(newShares[1]!, 'hex').toString('base64')]);
    r = await call(url, 'GET', '/v1/secret/data/app/db?version=1', { token: root });
    expectStatus(r, 200, 'read after re-unseal');
    assert.equal(r.json.data.data.password, secrets.v2Password);
    r = await call(url, 'GET', '/v1/secret/data/app/rotated', { token: root });
    expectStatus(r, 200, 'read rotated-term value after re-unseal');
    assert.equal(r.json.data.data.value, secrets.v2AfterRotate);

    // Snapshot the storage files while the server runs (the WAL is not yet checkpointed).
    const snap = join(tmp.dir, 'snapshot');
    mkdirSync(snap);
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(`${dbPath}${suffix}`))
        copyFileSync(`${dbPath}${suffix}`, join(snap, `coffer.db${suffix}`));
    }
    assert.ok(existsSync(join(snap, 'coffer.db-wal')), 'a running sqlite server in WAL mode has a -wal file');

    const code = await server.stop('SIGTERM');
    assert.equal(code, 0, `server exit code: ${code}\n${server.stderr()}`);

    // --- The search.
    const needles: Needle[] = [
      ...Object.entries(secrets).flatMap(([label, value]) => stringNeedles(`secret ${label}`, value)),
      ...tokenNeedles('root token', root),
      ...wrongTokens.flatMap((t, i) => tokenNeedles(`wrong token ${i}`, t)),
      ...shareHex.flatMap((hex, i) => shareNeedles(`key share ${i}${i >= 3 ? ' (after rekey)' : ''}`, hex)),
    ];
    const files = [...storageFiles(dbPath, ''), ...storageFiles(join(snap, 'coffer.db'), 'snapshot of ')];
    const logs = [
      { name: 'stderr', bytes: Buffer.from(server.stderr(), 'utf8') },
      { name: 'stdout', bytes: Buffer.from(server.stdout(), 'utf8') },
    ];
    // The searches look where they should: the logs saw the requests, the files hold the rows.
    assert.match(server.stdout(), /Coffer server started/);
    assert.match(server.stderr(), /"path":"secret\/data\/app\/db"/, 'debug log lists requests');
    const db = new DatabaseSync(dbPath, { readOnly: true });
    try {
      const rows = db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number };
      assert.ok(rows.n > 10, `expected rows in the db, found ${rows.n}`);
    } finally {
      db.close();
    }
    // ... and they would find a plaintext if there was one.
    assert.notEqual(
      findLeaks([{ name: 'probe', bytes: Buffer.from(`xx${secrets.v1Value}xx`) }], needles).length,
      0,
    );

    const leaks = findLeaks([...files, ...logs], needles);
    assert.deepEqual(leaks, [], `secrets leaked:\n${leaks.join('\n')}`);
  });
});

// ---------------------------------------------------------------------------------------------

interface Tamper {
  name: string;
  /** Changes the stored value (called with a copy). */
  edit(value: Buffer): Buffer;
}

const flip = (at: (len: number) => number) => (v: Buffer) => {
  const out = Buffer.from(v);
  const i = at(out.length);
  out[i] = out[i]! ^ 0x01;
  return out;
};

// [term u32][version u8][nonce 12][ciphertext][tag 16]
const TAMPERS: Tamper[] = [
  { name: 'term-byte', edit: flip(() => 3) },
  { name: 'term-high-byte', edit: flip(() => 0) },
  { name: 'version-byte', edit: flip(() => 4) },
  { name: 'nonce-first', edit: flip(() => 5) },
  { name: 'nonce-last', edit: flip(() => 16) },
  { name: 'ciphertext-first', edit: flip(() => 17) },
  { name: 'ciphertext-middle', edit: flip((len) => 17 + Math.floor((len - 33) / 2)) },
  { name: 'tag-first', edit: flip((len) => len - 16) },
  { name: 'tag-last', edit: flip((len) => len - 1) },
  { name: 'truncated', edit: (v) => Buffer.from(v.subarray(0, v.length - 1)) },
  { name: 'extended', edit: (v) => Buffer.concat([v, Buffer.from([0])]) },
  { name: 'header-only', edit: (v) => Buffer.from(v.subarray(0, 17)) },
  { name: 'empty', edit: () => Buffer.alloc(0) },
];

describe('tampered or moved ciphertext reads as an integrity error, never as data', {
  timeout: 60_000,
}, () => {
  const tmp = tempDir('coffer-e2e-tamper-');
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop('SIGKILL');
    tmp.cleanup();
  });

  test('flipped byte (header, nonce, ciphertext, tag), truncation and copies → 500 + integrity log', async () => {
    const dbPath = join(tmp.dir, 'coffer.db');
    const config = sqliteConfig(tmp.dir);
    server = await startServerProcess({ configHCL: config, dir: tmp.dir });
    let url = server.url;
    const init = await initAndUnseal(url);
    const root = init.root_token;
    await mount(url, root, 'secret', '2');
    await mount(url, root, 'kv1', '1');

    const values = new Map<string, string>();
    const write = async (name: string) => {
      const value = hex32();
      const r = await call(url, 'POST', `/v1/secret/data/${name}`, {
        token: root,
        body: { data: { value } },
      });
      expectStatus(r, 200, `write ${name}`);
      values.set(`${name}#${r.json.data.version}`, value);
      return value;
    };
    for (const t of TAMPERS) await write(`tamper/${t.name}`);
    await write('copy/a');
    await write('copy/b');
    await write('copy/versions');
    await write('copy/versions');
    await write('keep/ok');
    const v1Value = hex32();
    let r = await call(url, 'POST', '/v1/kv1/tamper/v1', { token: root, body: { value: v1Value } });
    expectStatus(r, 204, 'kv1 write');
    r = await call(url, 'POST', '/v1/kv1/keep/v1', { token: root, body: { value: 'kept' } });
    expectStatus(r, 204, 'kv1 write keep');

    assert.equal(await server.stop('SIGTERM'), 0);

    // --- Edit the storage while the server is down.
    const db = new DatabaseSync(dbPath);
    try {
      const keys = (db.prepare('SELECT key FROM entries').all() as Array<{ key: Uint8Array }>).map((row) =>
        Buffer.from(row.key).toString('utf8'),
      );
      const keyOf = (suffix: string): string => {
        const found = keys.filter((k) => k.startsWith('logical/') && k.endsWith(suffix));
        assert.equal(found.length, 1, `one storage key ends in ${suffix}: ${JSON.stringify(found)}`);
        return found[0]!;
      };
      const get = (key: string): Buffer => {
        const row = db.prepare('SELECT value FROM entries WHERE key = ?').get(Buffer.from(key)) as
          | { value: Uint8Array }
          | undefined;
        assert.ok(row, `row ${key}`);
        return Buffer.from(row.value);
      };
      const set = (key: string, value: Buffer) => {
        const res = db.prepare('UPDATE entries SET value = ? WHERE key = ?').run(value, Buffer.from(key));
        assert.equal(res.changes, 1, `updated ${key}`);
      };
      for (const t of TAMPERS) {
        const key = keyOf(`/versions/tamper/${t.name}/1`);
        const before = get(key);
        assert.equal(before.readUInt32BE(0), 1, 'term 1');
        assert.equal(before[4], 1, 'format version 1');
        const after = t.edit(before);
        assert.notDeepEqual(after, before);
        set(key, after);
      }
      // Secret A's ciphertext onto secret B's version row; version 1 onto version 2 of one secret.
      set(keyOf('/versions/copy/b/1'), get(keyOf('/versions/copy/a/1')));
      set(keyOf('/versions/copy/versions/2'), get(keyOf('/versions/copy/versions/1')));
      // KV v1 (the whole secret is one row) with a flipped ciphertext byte.
      set(keyOf('/tamper/v1'), flip(() => 20)(get(keyOf('/tamper/v1'))));
    } finally {
      db.close();
    }

    // --- Restart on the same storage, unseal, read.
    server = await startServerProcess({ configHCL: config, dir: tmp.dir });
    url = server.url;
    await unseal(url, [init.keys[2]!, init.keys[0]!]);
    const srv = server;

    const expectIntegrity = async (path: string, storageSuffix: string, secretsInPlay: string[]) => {
      const logFrom = srv.stderr().length;
      const res = await call(url, 'GET', path, { token: root });
      assert.equal(res.status, 500, `${path}: expected 500, got ${res.status}: ${redact(res.text)}`);
      assert.equal(res.text, '{"errors":["internal error"]}', `${path}: body`);
      // The integrity line arrives on the server's stderr pipe (allow it a moment).
      let line: Record<string, unknown> | undefined;
      const deadline = Date.now() + 3000;
      while (line === undefined && Date.now() < deadline) {
        line = logLines(srv.stderr().slice(logFrom)).find(
          (l) => hasCode(l, 'integrity') && JSON.stringify(l).includes(storageSuffix),
        );
        if (line === undefined) await new Promise((res) => setTimeout(res, 25));
      }
      assert.ok(
        line,
        `${path}: no log line with code "integrity" naming ${storageSuffix}:\n${srv.stderr().slice(logFrom)}`,
      );
      const logged = srv.stderr().slice(logFrom);
      for (const s of secretsInPlay) {
        assert.ok(
          !logged.includes(s),
          `${path}: the log names a secret value (log not shown: it holds the value)`,
        );
        assert.ok(!res.text.includes(s), `${path}: the answer carries a secret value`);
      }
    };

    for (const t of TAMPERS) {
      await expectIntegrity(`/v1/secret/data/tamper/${t.name}`, `versions/tamper/${t.name}/1`, [
        values.get(`tamper/${t.name}#1`)!,
      ]);
      // Still an integrity error on the second read (nothing is cached, nothing "repaired").
      r = await call(url, 'GET', `/v1/secret/data/tamper/${t.name}?version=1`, { token: root });
      assert.equal(r.status, 500, `${t.name}: second read`);
    }
    const a = values.get('copy/a#1')!;
    const b = values.get('copy/b#1')!;
    await expectIntegrity('/v1/secret/data/copy/b', 'versions/copy/b/1', [a, b]);
    await expectIntegrity('/v1/secret/data/copy/versions', 'versions/copy/versions/2', [
      values.get('copy/versions#1')!,
      values.get('copy/versions#2')!,
    ]);
    await expectIntegrity('/v1/kv1/tamper/v1', 'tamper/v1', [v1Value]);

    // --- Everything else still serves: the source of the copy, an older version, other secrets,
    // metadata of a tampered secret, lists, new writes.
    r = await call(url, 'GET', '/v1/secret/data/copy/a', { token: root });
    expectStatus(r, 200, 'read copy/a (the source)');
    assert.equal(r.json.data.data.value, a);
    r = await call(url, 'GET', '/v1/secret/data/copy/versions?version=1', { token: root });
    expectStatus(r, 200, 'read copy/versions v1');
    assert.equal(r.json.data.data.value, values.get('copy/versions#1'));
    r = await call(url, 'GET', '/v1/secret/data/keep/ok', { token: root });
    expectStatus(r, 200, 'read keep/ok');
    assert.equal(r.json.data.data.value, values.get('keep/ok#1'));
    r = await call(url, 'GET', '/v1/kv1/keep/v1', { token: root });
    expectStatus(r, 200, 'read kv1 keep/v1');
    assert.equal(r.json.data.value, 'kept');
    r = await call(url, 'GET', '/v1/secret/metadata/tamper/nonce-first', { token: root });
    expectStatus(r, 200, 'metadata of a tampered secret');
    assert.equal(r.json.data.current_version, 1);
    r = await call(url, 'LIST', '/v1/secret/metadata/tamper', { token: root });
    expectStatus(r, 200, 'list tamper/');
    assert.equal(r.json.data.keys.length, TAMPERS.length);
    r = await call(url, 'POST', '/v1/secret/data/tamper/nonce-first', {
      token: root,
      body: { data: { value: 'fresh' } },
    });
    expectStatus(r, 200, 'a new version over a tampered one');
    assert.equal(r.json.data.version, 2);
    r = await call(url, 'GET', '/v1/secret/data/tamper/nonce-first', { token: root });
    expectStatus(r, 200, 'read the new version');
    assert.equal(r.json.data.data.value, 'fresh');
    r = await call(url, 'GET', '/v1/sys/health');
    expectStatus(r, 200, 'health');

    // No secret value of this test anywhere in the whole log.
    const all = server.stderr() + server.stdout();
    for (const [k, v] of values) assert.ok(!all.includes(v), `log names the value of ${k}`);
    assert.ok(!all.includes(v1Value));
    assert.ok(!all.includes(root), 'log names the root token');
    assert.equal(await server.stop('SIGTERM'), 0);
  });
});

function logLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a JSON line: ignore
    }
  }
  return out;
}

/** Whether `code` appears as the value of a `code` key anywhere in the (nested) log line. */
function hasCode(value: unknown, code: string): boolean {
  if (value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'code' && v === code) return true;
    if (hasCode(v, code)) return true;
  }
  return false;
}
