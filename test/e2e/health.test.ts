/**
 * Done when: `sys/health` returns 200 active, 501 uninitialized, 503 sealed, with the overrides
 * honoured; sealed servers answer 503 on every other path.
 *
 * Tier 5: a real `coffer server -config` process on a fresh sqlite file, taken from uninitialized
 * to sealed to active and back, probed over plain HTTP (fetch, and raw sockets where the exact
 * bytes on the wire matter).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ServerProcess, startServerProcess, tempDir } from '../helpers/process.ts';
import { redact } from '../helpers/redact.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, asserted field by field
type Json = any;

const HEALTH_KEYS = [
  'initialized',
  'sealed',
  'standby',
  'performance_standby',
  'replication_performance_mode',
  'replication_dr_mode',
  'server_time_utc',
  'version',
];

/** Paths (method, path) that a sealed or uninitialized server must refuse with 503. */
const GUARDED: Array<[string, string, unknown?]> = [
  ['GET', 'secret/data/x'],
  ['POST', 'secret/data/x', { data: { a: 'b' } }],
  ['LIST', 'secret/metadata/'],
  ['GET', 'sys/mounts'],
  ['POST', 'sys/mounts/kv', { type: 'kv' }],
  ['DELETE', 'sys/mounts/kv'],
  ['GET', 'sys/key-status'],
  ['POST', 'sys/rotate'],
  ['POST', 'sys/seal'],
  ['GET', 'sys/internal/specs/openapi'],
  ['GET', 'no/such/mount'],
];

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Json;
}

/** One raw HTTP/1.1 exchange on its own connection: every byte the server sent, until it closes. */
function rawExchange(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let data = '';
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(data);
    });
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('e2e: sys/health codes and the sealed gate', () => {
  const tmp = tempDir('coffer-e2e-health-');
  let server: ServerProcess;
  let init: { keys: string[]; keys_base64: string[]; root_token: string };

  const req = async (method: string, path: string, opts: { token?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token !== undefined) headers['X-Vault-Token'] = opts.token;
    const r = await fetch(`${server.url}/v1/${path}`, {
      method,
      headers,
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      signal: AbortSignal.timeout(5000),
    });
    const text = await r.text();
    let json: Json;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, headers: r.headers, text, json } satisfies Answer;
  };
  const health = (query = '') => req('GET', `sys/health${query}`);

  /** Every GUARDED path answers 503 with the given message, with no token, a wrong one and (if given) the root token. */
  const assertGate = async (message: RegExp, tokens: Array<string | undefined>) => {
    for (const token of tokens) {
      for (const [method, path, body] of GUARDED) {
        const r = await req(method, path, { ...(token === undefined ? {} : { token }), body });
        const who = token === undefined ? 'no token' : `token ${token.slice(0, 6)}…`;
        assert.equal(r.status, 503, `${method} ${path} (${who}): ${redact(r.text)}`);
        assert.deepEqual(Object.keys(r.json), ['errors'], `${method} ${path}: ${redact(r.text)}`);
        assert.equal(r.json.errors.length, 1);
        assert.match(r.json.errors[0], message, `${method} ${path} (${who}): ${redact(r.text)}`);
        assert.equal(r.headers.get('cache-control'), 'no-store');
      }
    }
  };

  before(async () => {
    server = await startServerProcess({
      configHCL: `storage "sqlite" {\n  path = "${join(tmp.dir, 'coffer.db')}"\n}\n`,
      dir: tmp.dir,
    });
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('uninitialized: 501 with initialized:false; ?uninitcode=200 → 200; HEAD has the status and no body', async () => {
    const r = await health();
    assert.equal(r.status, 501, r.text);
    for (const k of HEALTH_KEYS) assert.ok(k in r.json, `health has ${k}: ${redact(r.text)}`);
    assert.equal(r.json.initialized, false);
    assert.equal(r.json.sealed, true);
    assert.equal(r.json.standby, false);
    assert.equal(typeof r.json.server_time_utc, 'number');
    assert.ok(Math.abs(r.json.server_time_utc - Date.now() / 1000) < 60);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);

    const overridden = await health('?uninitcode=200');
    assert.equal(overridden.status, 200);
    assert.equal(overridden.json.initialized, false);
    // The other overrides do not apply to an uninitialized server.
    assert.equal((await health('?sealedcode=200&activecode=200')).status, 501);

    const head = await req('HEAD', 'sys/health');
    assert.equal(head.status, 501);
    assert.equal(head.text, '');
    assert.equal((await req('HEAD', 'sys/health?uninitcode=204')).status, 204);

    // On the wire: a HEAD answer carries no body bytes.
    const raw = await rawExchange(
      server.port,
      'HEAD /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    assert.match(raw, /^HTTP\/1\.1 501 /);
    assert.ok(raw.endsWith('\r\n\r\n'), `no body after the head: ${JSON.stringify(raw)}`);
  });

  it('uninitialized: sys/init and sys/seal-status answer, every other path is 503', async () => {
    const i = await req('GET', 'sys/init');
    assert.equal(i.status, 200, i.text);
    assert.deepEqual(i.json, { initialized: false });
    const s = await req('GET', 'sys/seal-status');
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.initialized, false);
    assert.equal(s.json.sealed, true);
    await assertGate(/not initialized/i, [undefined, 'hvs.made-up']);
  });

  // sys/rekey/* is unauthenticated but not on the allow-list of a server that cannot serve:
  // Vault refuses it before initialization and while sealed (core.RekeyConfig / RekeyCancel).
  it('uninitialized: sys/rekey/init (GET, POST, DELETE) is 503 not initialized too', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['POST', { secret_shares: 1, secret_threshold: 1 }],
      ['DELETE', undefined],
    ] as const) {
      const r = await req(method, 'sys/rekey/init', { body });
      assert.equal(
        r.status,
        503,
        `${method} sys/rekey/init while uninitialized: ${r.status} ${redact(r.text)}`,
      );
      assert.match(r.json.errors[0], /not initialized/i, `${method} sys/rekey/init: ${redact(r.text)}`);
    }
  });

  it('initialized and sealed: 503 (?sealedcode=299 → 299); HEAD too', async () => {
    const r = await req('PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } });
    assert.equal(r.status, 200, r.text);
    init = r.json;
    assert.equal(init.keys.length, 3);

    const h = await health();
    assert.equal(h.status, 503, h.text);
    assert.equal(h.json.initialized, true);
    assert.equal(h.json.sealed, true);
    const overridden = await health('?sealedcode=299');
    assert.equal(overridden.status, 299);
    assert.equal(overridden.json.sealed, true);
    assert.equal((await health('?sealedcode=200')).status, 200);
    assert.equal((await health('?uninitcode=200&activecode=200')).status, 503, 'other overrides ignored');
    const head = await req('HEAD', 'sys/health');
    assert.equal(head.status, 503);
    assert.equal(head.text, '');
    assert.equal((await req('HEAD', 'sys/health?sealedcode=299')).status, 299);
  });

  it('sealed: sys/seal-status, sys/init and sys/unseal still answer 200', async () => {
    const s = await req('GET', 'sys/seal-status');
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.sealed, true);
    assert.equal(s.json.initialized, true);
    assert.equal(s.json.t, 2);
    assert.equal(s.json.n, 3);
    const i = await req('GET', 'sys/init');
    assert.equal(i.status, 200, i.text);
    assert.deepEqual(i.json, { initialized: true });
    const u = await req('PUT', 'sys/unseal', { body: { reset: true } });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.sealed, true);
    assert.equal(u.json.progress, 0);
  });

  it('sealed: every other path is 503 {"errors":[...]}, with no token, a wrong token or the root token', async () => {
    await assertGate(/sealed/i, [undefined, 'hvs.made-up', init.root_token]);
  });

  it('sealed: sys/rekey/init (GET, POST, DELETE) and sys/rekey/update are 503 too', async () => {
    for (const [method, path, body] of [
      ['POST', 'sys/rekey/init', { secret_shares: 1, secret_threshold: 1 }],
      ['POST', 'sys/rekey/update', { key: init.keys[0], nonce: 'x' }],
      ['GET', 'sys/rekey/init', undefined],
      ['DELETE', 'sys/rekey/init', undefined],
    ] as const) {
      const r = await req(method, path, { body });
      assert.equal(r.status, 503, `${method} ${path} while sealed: ${r.status} ${redact(r.text)}`);
      assert.match(r.json.errors[0], /sealed/i);
    }
  });

  // README: "Every path answers ?help=1". While sealed, sys/health exists and answers; its help
  // may be refused with 503 like everything else, but it must not claim the path does not exist.
  it('sealed: sys/health?help=1 is help or 503, never 404 "unsupported path"', async () => {
    const r = await health('?help=1');
    assert.ok(
      r.status === 200 || r.status === 503,
      `sys/health?help=1 while sealed: ${r.status} ${redact(r.text)}`,
    );
  });

  it('unsealed: 200 active; ?activecode=204 → 204; HEAD works; wrong or no token do not matter', async () => {
    const one = await req('PUT', 'sys/unseal', { body: { key: init.keys_base64[2] } });
    assert.equal(one.json.sealed, true);
    assert.equal((await health()).status, 503, 'still sealed after 1 of 2 keys');
    const two = await req('PUT', 'sys/unseal', { body: { key: init.keys[0] } });
    assert.equal(two.status, 200, two.text);
    assert.equal(two.json.sealed, false);

    const h = await health();
    assert.equal(h.status, 200, h.text);
    assert.equal(h.json.initialized, true);
    assert.equal(h.json.sealed, false);
    assert.equal(h.json.standby, false);
    assert.equal((await req('GET', 'sys/health', { token: 'hvs.made-up' })).status, 200);

    const noContent = await health('?activecode=204');
    assert.equal(noContent.status, 204);
    assert.equal(noContent.text, '');
    assert.equal((await health('?activecode=299')).status, 299);
    assert.equal((await health('?sealedcode=299&uninitcode=299&standbycode=299')).status, 200, 'ignored');
    assert.equal((await health('?standbyok=true')).status, 200);

    const head = await req('HEAD', 'sys/health');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal((await req('HEAD', 'sys/health?activecode=299')).status, 299);

    // The rest of the API is open again.
    const mounts = await req('GET', 'sys/mounts', { token: init.root_token });
    assert.equal(mounts.status, 200, mounts.text);
    assert.equal((await req('GET', 'sys/mounts')).status, 403);
    assert.equal((await req('GET', 'sys/key-status', { token: init.root_token })).status, 200);
  });

  // RFC 9110 §8.6: "A server MUST NOT send a Content-Length header field in any response with a
  // status code of 1xx (Informational) or 204 (No Content)." A client that trusts it waits for
  // bytes that never come.
  it('?activecode=204: no Content-Length on the wire, and the connection stays usable', async () => {
    const raw = await rawExchange(
      server.port,
      'GET /v1/sys/health?activecode=204 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' +
        'GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    const first = raw.slice(0, raw.indexOf('\r\n\r\n'));
    assert.match(first, /^HTTP\/1\.1 204 /);
    assert.doesNotMatch(first, /\r\ncontent-length:/i, `a 204 with Content-Length:\n${first}`);
    assert.match(raw, /\r\n\r\nHTTP\/1\.1 200 /, 'the next request on the connection is answered');
  });

  it('bad overrides are 400: ?activecode=abc, ?sealedcode=abc, ?uninitcode=1000', async () => {
    for (const q of [
      '?activecode=abc',
      '?sealedcode=abc',
      '?uninitcode=1000',
      '?activecode=',
      '?standbyok=maybe',
    ]) {
      const r = await health(q);
      assert.equal(r.status, 400, `${q}: ${r.status} ${redact(r.text)}`);
      assert.deepEqual(Object.keys(r.json), ['errors']);
      assert.equal(r.json.errors.length, 1);
    }
    const head = await req('HEAD', 'sys/health?activecode=abc');
    assert.equal(head.status, 400);
  });

  // A 1xx status is not a final answer: sent as one, clients wait for the real response (curl
  // hangs until its timeout, fetch fails). The override must be refused, as other bad values are.
  it('a 1xx override (?activecode=101, ?activecode=100) is refused with 400', async () => {
    for (const q of ['?activecode=101', '?activecode=100']) {
      const raw = await rawExchange(
        server.port,
        `GET /v1/sys/health${q} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      assert.match(raw, /^HTTP\/1\.1 400 /, `${q}: ${raw.slice(0, raw.indexOf('\r\n'))}`);
    }
  });

  it('sealed again by sys/seal: 503 again, overrides honoured; unseal restores 200', async () => {
    const seal = await req('PUT', 'sys/seal', { token: init.root_token });
    assert.equal(seal.status, 204, seal.text);
    assert.equal((await health()).status, 503);
    assert.equal((await health('?sealedcode=299')).status, 299);
    const mounts = await req('GET', 'sys/mounts', { token: init.root_token });
    assert.equal(mounts.status, 503, mounts.text);
    for (const key of [init.keys[1], init.keys_base64[0]]) await req('PUT', 'sys/unseal', { body: { key } });
    assert.equal((await health()).status, 200);
  });
});
