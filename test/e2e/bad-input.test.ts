/**
 * End-to-end (tier 5): bad input gets a clear 4xx and changes nothing.
 *
 * A real `coffer server` process (inmem storage, initialized and unsealed over HTTP) with two
 * listeners: the default one (32 MiB body limit) and one with `max_request_size = 1024`. Paths are
 * sent over raw sockets so that no client normalizes them. Every bad request is checked for its
 * exact status, a JSON `{"errors":[...]}` body with a useful message (never "internal error"), and
 * an unchanged server state (secrets, versions, metadata, lists and mounts read before and after).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { freePort, type ServerProcess, startServerProcess, tempDir } from '../helpers/process.ts';
import { redact } from '../helpers/redact.ts';

interface Reply {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of the API
  json: any;
  headers: Record<string, string>;
}

function parseJSON(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function call(
  url: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers['X-Vault-Token'] = opts.token;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, text, json: parseJSON(text), headers: Object.fromEntries(res.headers) };
}

/**
 * Sends `bytes` on a fresh TCP connection and resolves with the first HTTP response (status,
 * headers, body by Content-Length), or with status 0 if the server closed without answering.
 * `thenWrite` streams more bytes after the first ones (errors writing them are ignored: the server
 * may answer and close early).
 */
function rawRequest(
  port: number,
  bytes: string | Buffer,
  opts: { thenWrite?: () => Iterable<Buffer>; timeoutMs?: number; head?: boolean } = {},
): Promise<Reply & { closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let done = false;
    const timer = setTimeout(
      () => finish(new Error(`no answer within ${opts.timeoutMs ?? 10_000} ms`)),
      opts.timeoutMs ?? 10_000,
    );
    const finish = (err?: Error, closed = false) => {
      if (done) return;
      const parsed = parseResponse(buf, opts.head === true);
      if (!parsed && !closed && !err) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (parsed) resolve({ ...parsed, closed });
      else if (closed)
        resolve({ status: 0, text: buf.toString('latin1'), json: undefined, headers: {}, closed });
      else reject(err);
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      finish();
    });
    socket.on('error', () => {
      // EPIPE / ECONNRESET after the server answered and closed: the answer is what counts.
    });
    socket.on('close', () => finish(undefined, true));
    socket.on('connect', async () => {
      socket.write(bytes);
      if (opts.thenWrite) {
        for (const chunk of opts.thenWrite()) {
          if (done || socket.destroyed) break;
          if (!socket.write(chunk)) {
            await new Promise<void>((r) => {
              const go = () => {
                socket.off('drain', go);
                socket.off('close', go);
                r();
              };
              socket.on('drain', go);
              socket.on('close', go);
            });
          }
        }
      }
    });
  });
}

/** The first response in `buf`, once complete (`head`: the answer to HEAD, which has no body). */
function parseResponse(buf: Buffer, head = false): (Omit<Reply, 'json'> & { json: unknown }) | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 'NaN');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  if (head) return { status, headers, text: '', json: undefined };
  const length = Number(headers['content-length'] ?? 0);
  if (buf.length < end + 4 + length) return undefined;
  const text = buf.subarray(end + 4, end + 4 + length).toString('utf8');
  return { status, headers, text, json: parseJSON(text) };
}

/** A whole HTTP/1.1 request as bytes; the target is sent exactly as given. */
function httpRequest(
  method: string,
  target: string,
  opts: { token?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Buffer {
  const body = opts.body === undefined ? Buffer.alloc(0) : Buffer.from(opts.body);
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  if (opts.token) lines.push(`X-Vault-Token: ${opts.token}`);
  for (const [k, v] of Object.entries(opts.headers ?? {})) lines.push(`${k}: ${v}`);
  if (opts.body !== undefined) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** The answer is the exact status with a JSON `{"errors":[...]}` that says something useful. */
function assertClientError(r: Reply, status: number, message: RegExp | undefined, what: string): void {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status}: ${redact(r.text)}`);
  assert.match(r.headers['content-type'] ?? '', /^application\/json/, `${what}: content type`);
  assert.ok(
    r.json && Array.isArray(r.json.errors),
    `${what}: not a JSON {"errors":[...]}: ${redact(r.text)}`,
  );
  assert.ok(!r.json.errors.includes('internal error'), `${what}: says "internal error"`);
  if (message) {
    assert.ok(
      r.json.errors.some((e: unknown) => typeof e === 'string' && message.test(e)),
      `${what}: errors ${JSON.stringify(r.json.errors)} do not match ${message}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------

describe('bad input gets a clear 4xx and changes nothing', { timeout: 90_000 }, () => {
  const tmp = tempDir('coffer-e2e-badinput-');
  let server: ServerProcess;
  let url: string;
  let port: number;
  let smallPort: number;
  let smallUrl: string;
  let token: string;

  const api = (method: string, path: string, opts: Parameters<typeof call>[3] = {}) =>
    call(url, method, path, { token, ...opts });
  const raw = (method: string, target: string, opts: Parameters<typeof httpRequest>[2] = {}) =>
    rawRequest(port, httpRequest(method, target, { token, ...opts }));

  /** Everything a bad request could have changed, without request ids. */
  async function snapshot(): Promise<unknown> {
    const out: Record<string, unknown> = {};
    const get = async (path: string, method = 'GET') => {
      const r = await api(method, path);
      out[`${method} ${path}`] = { status: r.status, data: r.json?.data ?? r.json };
    };
    const walk = async (mountPath: string, folder: string, method = 'LIST') => {
      const r = await api(method, `${mountPath}${folder}`);
      out[`LIST ${mountPath}${folder}`] = { status: r.status, data: r.json?.data };
      for (const key of (r.json?.data?.keys ?? []) as string[]) {
        if (key.endsWith('/')) await walk(mountPath, `${folder}${key}`);
        else if (mountPath.endsWith('/metadata/')) {
          const name = encodeURIComponent(`${folder}${key}`).replaceAll('%2F', '/');
          await get(`/v1/secret/metadata/${name}`);
          await get(`/v1/secret/data/${name}`);
        } else {
          await get(`${mountPath}${encodeURIComponent(`${folder}${key}`).replaceAll('%2F', '/')}`);
        }
      }
    };
    await walk('/v1/secret/metadata/', '');
    await walk('/v1/kv1/', '');
    await get('/v1/secret/data/seed/b?version=1');
    await get('/v1/secret/config');
    const mounts = await api('GET', '/v1/sys/mounts');
    out.mounts = mounts.json?.data;
    return out;
  }

  /** Runs `fn` (which sends bad input and checks the answers) and asserts nothing changed. */
  async function unchanged(fn: () => Promise<void>): Promise<void> {
    const before = await snapshot();
    await fn();
    const afterState = await snapshot();
    assert.deepEqual(afterState, before, 'the bad request changed the server state');
  }

  before(async () => {
    smallPort = await freePort();
    smallUrl = `http://127.0.0.1:${smallPort}`;
    server = await startServerProcess({
      dir: tmp.dir,
      configHCL: `storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:${smallPort}"\n  tls_disable = true\n  max_request_size = 1024\n}\n`,
    });
    url = server.url;
    port = server.port;
    const init = await call(url, 'POST', '/v1/sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    assert.equal(init.status, 200, init.text);
    const unseal = await call(url, 'PUT', '/v1/sys/unseal', { body: { key: init.json.keys[0] } });
    assert.equal(unseal.json.sealed, false, unseal.text);
    token = init.json.root_token;
    for (const [path, version] of [
      ['secret', '2'],
      ['kv1', '1'],
    ] as const) {
      const r = await api('POST', `/v1/sys/mounts/${path}`, { body: { type: 'kv', options: { version } } });
      assert.equal(r.status, 204, r.text);
    }
    for (const body of [
      ['seed/a', { value: 'one' }],
      ['seed/b', { value: 'b1' }],
      ['seed/b', { value: 'b2' }],
      ['top', { value: 'top' }],
    ] as const) {
      const r = await api('POST', `/v1/secret/data/${body[0]}`, { body: { data: body[1] } });
      assert.equal(r.status, 200, r.text);
    }
    const r = await api('POST', '/v1/kv1/seed', { body: { value: 'v1' } });
    assert.equal(r.status, 204, r.text);
  });

  after(async () => {
    await server?.stop('SIGKILL');
    tmp.cleanup();
  });

  test('malformed JSON → 400', async () => {
    await unchanged(async () => {
      const bodies: Array<[string, string | Buffer]> = [
        ['truncated', '{"data": {"value": "two"'],
        ['trailing garbage', '{"data": {"value": "two"}} x'],
        ['two objects', '{"data": {"value": "two"}}{"data": {}}'],
        ['single quotes', "{'data': {'value': 'two'}}"],
        ['trailing comma', '{"data": {"value": "two",}}'],
        ['bare word', 'data=two'],
        ['an array', '[{"data": {"value": "two"}}]'],
        ['a string', '"two"'],
        ['null', 'null'],
        ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
      ];
      for (const [what, body] of bodies) {
        for (const path of ['/v1/secret/data/seed/a', '/v1/kv1/seed', '/v1/sys/mounts/evil']) {
          const r = await api('POST', path, {
            rawBody: body,
            headers: { 'Content-Type': 'application/json' },
          });
          assertClientError(r, 400, /JSON/, `${what} to ${path}`);
        }
      }
      const r = await api('PATCH', '/v1/secret/data/seed/a', {
        rawBody: '{"data": ',
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      assertClientError(r, 400, /JSON/, 'malformed merge patch');
    });
  });

  test('a body over the limit → 413 (declared, streamed, chunked), and the limit is the configured one', async () => {
    await unchanged(async () => {
      // 33 MiB to the default listener (32 MiB), sent in full.
      const size = 33 * 1024 * 1024;
      const head = Buffer.from(
        `POST /v1/secret/data/seed/a HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: ${token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${size}\r\n\r\n{"data":{"value":"`,
      );
      const filler = Buffer.alloc(1024 * 1024, 0x61);
      let r = await rawRequest(port, head, {
        timeoutMs: 30_000,
        *thenWrite() {
          for (let sent = head.length - head.indexOf('\r\n\r\n') - 4; sent < size; sent += filler.length) {
            yield filler.subarray(0, Math.min(filler.length, size - sent));
          }
        },
      });
      assertClientError(r, 413, /too large/, '33 MiB body');
      assert.equal(r.headers.connection, 'close', '413 closes the connection');

      // 33 MiB chunked (no declared length) to the default listener: refused once past 32 MiB.
      const chunkedHead =
        `POST /v1/secret/data/seed/a HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: ${token}\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
      r = await rawRequest(port, chunkedHead, {
        timeoutMs: 30_000,
        *thenWrite() {
          const first = Buffer.from('{"data":{"value":"');
          yield Buffer.from(`${first.length.toString(16)}\r\n${first.toString('latin1')}\r\n`, 'latin1');
          const frame = Buffer.concat([
            Buffer.from(`${filler.length.toString(16)}\r\n`),
            filler,
            Buffer.from('\r\n'),
          ]);
          for (let i = 0; i < 33; i++) yield frame;
          yield Buffer.from('0\r\n\r\n');
        },
      });
      assertClientError(r, 413, /too large/, '33 MiB chunked body');

      // A declared length over the small limit.
      const big = JSON.stringify({ data: { value: 'x'.repeat(2000) } });
      r = await rawRequest(smallPort, httpRequest('POST', '/v1/secret/data/seed/a', { token, body: big }));
      assertClientError(r, 413, /too large/, '2 KB body over a 1 KiB limit');
      // Chunked, no length: refused once it grows past the limit.
      const chunks = [
        `POST /v1/secret/data/seed/a HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: ${token}\r\n`,
        'Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n',
      ].join('');
      r = await rawRequest(smallPort, chunks, {
        *thenWrite() {
          const part = Buffer.from(`{"data":{"value":"${'y'.repeat(300)}`);
          yield Buffer.from(`${part.length.toString(16)}\r\n${part.toString('latin1')}\r\n`, 'latin1');
          for (let i = 0; i < 10; i++) {
            const more = 'z'.repeat(300);
            yield Buffer.from(`${more.length.toString(16)}\r\n${more}\r\n`, 'latin1');
          }
          yield Buffer.from('0\r\n\r\n');
        },
      });
      assertClientError(r, 413, /too large/, 'chunked body over a 1 KiB limit');
      // fetch against the small listener: the client sees the 413 too.
      const f = await call(smallUrl, 'POST', '/v1/secret/data/seed/a', { token, rawBody: big }).catch(
        (err: unknown) => err as Error,
      );
      if (!(f instanceof Error)) assertClientError(f, 413, /too large/, 'fetch 2 KB over 1 KiB');
    });
    // Under the small limit the small listener works (so the 413s above were the limit).
    const ok = await call(smallUrl, 'POST', '/v1/secret/data/limit/ok', {
      token,
      body: { data: { value: 'x'.repeat(900) } },
    });
    assert.equal(ok.status, 200, ok.text);
    const del = await api('DELETE', '/v1/secret/metadata/limit/ok');
    assert.equal(del.status, 204, del.text);
  });

  test('JSON nested 100,000 deep → 400 at once; brackets inside strings do not count', async () => {
    await unchanged(async () => {
      const n = 100_000;
      const cases: Array<[string, string]> = [
        ['arrays', `{"data":{"v":${'['.repeat(n)}${']'.repeat(n)}}}`],
        ['objects', `{"data":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`],
        ['unclosed', `{"data":${'['.repeat(n)}`],
        ['at top level', `${'['.repeat(n)}${']'.repeat(n)}`],
      ];
      for (const [what, body] of cases) {
        const started = performance.now();
        const r = await api('POST', '/v1/secret/data/seed/a', { rawBody: body });
        assertClientError(r, 400, /nested|JSON/, `nested ${what}`);
        assert.ok(
          performance.now() - started < 5000,
          `nested ${what} took ${performance.now() - started} ms`,
        );
      }
      const r = await api('POST', '/v1/kv1/seed', { rawBody: `{"v":${'['.repeat(n)}${']'.repeat(n)}}` });
      assertClientError(r, 400, /nested|JSON/, 'nested, to KV v1');
    });
    // 100,000 brackets inside a string are data, not nesting.
    const value = '['.repeat(100_000);
    let r = await api('POST', '/v1/secret/data/nesting/in-string', { body: { data: { value } } });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    r = await api('GET', '/v1/secret/data/nesting/in-string');
    assert.equal(r.json.data.data.value, value);
    r = await api('DELETE', '/v1/secret/metadata/nesting/in-string');
    assert.equal(r.status, 204);
  });

  test('unknown and wrongly typed fields → 400 naming the field', async () => {
    await unchanged(async () => {
      const cases: Array<[string, string, unknown, RegExp]> = [
        ['POST', '/v1/secret/data/seed/a', { data: { value: 'two' }, bogus: 1 }, /bogus/],
        ['POST', '/v1/secret/data/new/one', { data: { value: 'two' }, bogus: 1 }, /bogus/],
        ['POST', '/v1/secret/data/seed/a', { data: 'notanobject' }, /"data"/],
        ['POST', '/v1/secret/data/seed/a', { data: ['a', 'b'] }, /"data"/],
        ['POST', '/v1/secret/data/seed/a', { data: 5 }, /"data"/],
        ['POST', '/v1/secret/data/seed/a', { data: { v: 1 }, options: { cas: 'x' } }, /cas/],
        ['POST', '/v1/secret/data/seed/a', { data: { v: 1 }, options: { cas: -1 } }, /cas/],
        ['POST', '/v1/secret/data/seed/a', { data: { v: 1 }, options: 'cas=1' }, /"options"/],
        ['POST', '/v1/secret/data/seed/a', {}, /data/],
        ['POST', '/v1/secret/metadata/seed/a', { max_versions: 'abc' }, /max_versions/],
        ['POST', '/v1/secret/metadata/seed/a', { custom_metadata: 'x' }, /custom_metadata/],
        ['POST', '/v1/secret/metadata/seed/a', { bogus: true }, /bogus/],
        ['POST', '/v1/secret/config', { max_versions: 'ten' }, /max_versions/],
        ['POST', '/v1/secret/delete/seed/b', { versions: 'one' }, /versions/],
        ['POST', '/v1/secret/destroy/seed/b', { versions: [-1] }, /versions/],
        ['POST', '/v1/secret/undelete/seed/b', { versions: { a: 1 } }, /versions/],
        ['POST', '/v1/sys/mounts/x', { type: 5 }, /"type"/],
        ['POST', '/v1/sys/mounts/x', { type: 'kv', options: 'v2' }, /options/],
        ['POST', '/v1/sys/mounts/x', { type: 'kv', bogus: 1 }, /bogus/],
        ['POST', '/v1/sys/mounts/x', { type: 'kv', local: 'maybe' }, /local/],
        ['POST', '/v1/sys/mounts/x', { type: 'no-such-engine' }, /no-such-engine/],
        ['POST', '/v1/sys/mounts/x', {}, /type/],
        // durations past Go's longest (2562047h): stored, they broke every later read
        ['POST', '/v1/secret/config', { delete_version_after: 1e300 }, /delete_version_after/],
        ['POST', '/v1/secret/config', { delete_version_after: '9999999999999h' }, /delete_version_after/],
        [
          'POST',
          '/v1/secret/metadata/seed/a',
          { delete_version_after: '99999999999999999999' },
          /delete_version_after/,
        ],
        ['POST', '/v1/kv1/seed', { value: 'v2', ttl: '9999999999999h' }, /ttl/],
      ];
      for (const [method, path, body, message] of cases) {
        const r = await api(method, path, { body });
        assertClientError(r, 400, message, `${method} ${path} ${JSON.stringify(body)}`);
      }
      // numbers JSON.parse would change (1e999 → null, integers past 2^53 rounded)
      for (const [path, rawBody] of [
        ['/v1/kv1/seed', '{"value":1e999}'],
        ['/v1/secret/data/seed/a', '{"data":{"value":12345678901234567890}}'],
      ] as const) {
        const r = await api('POST', path, { rawBody });
        assertClientError(r, 400, /cannot be stored exactly/, `${path} ${rawBody}`);
      }
      const r = await api('GET', '/v1/secret/data/seed/b?version=abc');
      assertClientError(r, 400, /version/, 'version=abc');
      const p = await api('PATCH', '/v1/secret/data/seed/a', {
        body: { data: 'x' },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      assertClientError(p, 400, /"data"/, 'patch with data a string');
    });
  });

  test('`..`, `%2e%2e`, `.`, `//`, backslash and NUL in paths → 400, over raw sockets', async () => {
    await unchanged(async () => {
      const targets = [
        '/v1/secret/data/../x',
        '/v1/secret/data/seed/../seed/a',
        '/v1/secret/data/../../kv1/seed',
        '/v1/secret/../sys/mounts',
        '/v1/../v1/secret/data/seed/a',
        '/v1/secret/data/%2e%2e/x',
        '/v1/secret/data/%2E%2E/x',
        '/v1/secret/data/.%2e/x',
        '/v1/secret/data/%2e%2e/%2e%2e/kv1/seed',
        '/v1/secret/data/seed/%2e%2e',
        '/v1/secret/data/./seed/a',
        '/v1/secret/data/seed/%2e/a',
        '/v1/secret//data/x',
        '/v1//secret/data/seed/a',
        '/v1/secret/data//seed/a',
        '/v1/secret/data/seed//a',
        '/v1/secret/data/seed/a//',
        '/v1/secret/data/a%00b',
        '/v1/secret/data/seed/a%00',
        '/v1/secret/data/a%2f%2e%2e%2fb',
        '/v1/secret/data/a%5c..%5cb',
        '/v1/secret/data/a%0ab',
        '/v1/secret/data/bad%zz',
        '/v1/secret/data/bad%',
      ];
      for (const target of targets) {
        for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'LIST']) {
          const body =
            method === 'GET' || method === 'DELETE' || method === 'LIST'
              ? undefined
              : '{"data":{"v":"evil"},"type":"kv"}';
          const r = await raw(method, target, {
            ...(body === undefined ? {} : { body }),
            ...(method === 'PATCH' ? { headers: { 'Content-Type': 'application/merge-patch+json' } } : {}),
          });
          assertClientError(r, 400, /invalid path/, `${method} ${target}`);
        }
      }
      // A raw NUL or space in the request line never reaches the router.
      for (const line of ['GET /v1/secret/data/a\0b HTTP/1.1', 'GET /v1/secret/data/a b HTTP/1.1']) {
        const r = await rawRequest(port, `${line}\r\nHost: x\r\nX-Vault-Token: ${token}\r\n\r\n`);
        assertClientError(r, 400, /malformed|invalid/, JSON.stringify(line));
      }
    });
  });

  test('`%252e` decodes once to a secret literally named `%2e`, inside the mount', async () => {
    let r = await raw('GET', '/v1/secret/data/%252e');
    assertClientError(r, 404, undefined, 'read %2e before it exists');
    await unchanged(async () => {
      r = await raw('GET', '/v1/secret/data/%252e%252e/%252e%252e/kv1/seed');
      assert.equal(r.status, 404, r.text);
    });
    r = await raw('POST', '/v1/secret/data/%252e', { body: '{"data":{"v":"dot"}}' });
    assert.equal(r.status, 200, r.text);
    r = await raw('POST', '/v1/secret/data/%252e%252e/%252e%252e/kv1/seed', {
      body: '{"data":{"v":"dotdot"}}',
    });
    assert.equal(r.status, 200, r.text);
    r = await raw('GET', '/v1/secret/data/%252e');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.data.data, { v: 'dot' });
    r = await raw('LIST', '/v1/secret/metadata');
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.data.keys.includes('%2e'), JSON.stringify(r.json.data.keys));
    assert.ok(r.json.data.keys.includes('%2e%2e/'), JSON.stringify(r.json.data.keys));
    r = await raw('LIST', '/v1/secret/metadata/%252e%252e/%252e%252e/kv1');
    assert.deepEqual(r.json.data.keys, ['seed']);
    // Nothing escaped: kv1/seed and the other mount's secrets are as they were.
    r = await raw('GET', '/v1/kv1/seed');
    assert.deepEqual(r.json.data, { value: 'v1' });
    r = await raw('GET', '/v1/secret/data/seed/a');
    assert.deepEqual(r.json.data.data, { value: 'one' });
    const mounts = await api('GET', '/v1/sys/mounts');
    assert.deepEqual(Object.keys(mounts.json.data).sort(), [
      'cubbyhole/',
      'identity/',
      'kv1/',
      'secret/',
      'sys/',
    ]);
    for (const target of [
      '/v1/secret/metadata/%252e',
      '/v1/secret/metadata/%252e%252e/%252e%252e/kv1/seed',
    ]) {
      r = await raw('DELETE', target);
      assert.equal(r.status, 204, r.text);
    }
  });

  test('LIST on a path that is not a folder → 404', async () => {
    await unchanged(async () => {
      for (const target of [
        '/v1/secret/metadata/seed/a',
        '/v1/secret/metadata/top',
        '/v1/secret/metadata/missing',
        '/v1/secret/metadata/seed/a/deeper',
        '/v1/kv1/seed',
        '/v1/kv1/missing',
      ]) {
        let r = await raw('LIST', target);
        assertClientError(r, 404, undefined, `LIST ${target}`);
        r = await raw('GET', `${target}?list=true`);
        assertClientError(r, 404, undefined, `GET ${target}?list=true`);
      }
    });
  });

  test('huge headers → 431, unknown methods → 405, garbage → 400; each closes only its connection', async () => {
    await unchanged(async () => {
      let r = await rawRequest(
        port,
        `GET /v1/sys/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`,
      );
      assertClientError(r, 431, /header/, '100 KB header');
      r = await rawRequest(
        port,
        `GET /v1/secret/data/seed/a HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\n${Array.from({ length: 2000 }, (_, i) => `X-H${i}: ${'v'.repeat(40)}`).join('\r\n')}\r\n\r\n`,
      );
      assertClientError(r, 431, /header/, '2000 headers');
      r = await rawRequest(port, `GET /v1/secret/data/${'p'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      assertClientError(r, 431, /header/, '100 KB request target');

      for (const method of ['BREW', 'PROPFIND', 'TRACE', 'LOCK', 'OPTIONS']) {
        r = await raw(method, '/v1/secret/data/seed/a');
        assertClientError(r, 405, /method/, method);
        assert.ok(r.headers.allow?.includes('LIST'), `${method}: Allow header ${r.headers.allow}`);
      }
      // HEAD (only sys/health answers it): 405, no body.
      r = await rawRequest(port, httpRequest('HEAD', '/v1/secret/data/seed/a', { token }), { head: true });
      assert.equal(r.status, 405, `HEAD: ${r.status}`);
      assert.ok(r.headers.allow?.includes('LIST'), `HEAD: Allow header ${r.headers.allow}`);

      const garbage: Array<string | Buffer> = [
        'garbage\r\n\r\n',
        '\x00\x01\x02\x03\r\n\r\n',
        randomBytes(4096),
        Buffer.concat([randomBytes(512), Buffer.from('\r\n\r\n')]),
        'GET /v1/sys/health HTTP/9.9\r\nHost: x\r\n\r\n',
        'GET /v1/sys/health\r\n\r\n',
        'GET /v1/sys/health HTTP/1.1\r\nHost x\r\n\r\n',
        'GET /v1/sys/health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
        'POST /v1/secret/data/seed/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
        'POST /v1/secret/data/seed/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
        'POST /v1/secret/data/seed/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
        ' GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n',
      ];
      for (const bytes of garbage) {
        r = await rawRequest(port, bytes);
        const what = `garbage ${JSON.stringify(bytes.toString('latin1').slice(0, 40))}`;
        assertClientError(r, 400, /malformed|unsupported|invalid|Host/, what);
      }
      // HTTP/1.1 without Host.
      r = await rawRequest(port, 'GET /v1/sys/health HTTP/1.1\r\n\r\n');
      assertClientError(r, 400, /Host/, 'no Host');
    });
    const r = await api('GET', '/v1/sys/health');
    assert.equal(r.status, 200);
  });

  test('a bad request on a keep-alive connection does not poison requests before it', async () => {
    // Two good pipelined requests, then garbage: both good ones are answered, then 400.
    const good = `GET /v1/secret/data/seed/a HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\n\r\n`;
    const text = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => s.write(`${good}${good}NOT HTTP AT ALL\r\n\r\n`));
      let out = '';
      s.on('data', (d: Buffer) => {
        out += d.toString('latin1');
      });
      s.on('error', reject);
      s.on('close', () => resolve(out));
      setTimeout(() => s.destroy(), 10_000).unref();
    });
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    assert.deepEqual(statuses, [200, 200, 400], text);
  });

  test('200 bad requests in a row, then a good write and read work; no error logs, memory steady', async () => {
    const rssBefore = rss(server.proc.pid!);
    const makers: Array<(i: number) => Promise<Reply>> = [
      () => rawRequest(port, 'garbage\r\n\r\n'),
      (i) => raw('POST', `/v1/secret/data/../x${i}`, { body: '{"data":{"v":1}}' }),
      () => raw('POST', '/v1/secret/data/seed/a', { body: '{"data":' }),
      () => raw('POST', '/v1/secret/data/seed/a', { body: `{"data":${'['.repeat(2000)}` }),
      () => raw('POST', '/v1/secret/data/seed/a', { body: '{"data":{"v":1},"bogus":1}' }),
      () => raw('BREW', '/v1/secret/data/seed/a'),
      () => raw('LIST', '/v1/secret/metadata/seed/a'),
      () =>
        rawRequest(port, `GET /v1/sys/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40 * 1024)}\r\n\r\n`),
      () =>
        rawRequest(
          smallPort,
          httpRequest('POST', '/v1/secret/data/seed/a', { token, body: 'x'.repeat(5000) }),
        ),
      () => raw('GET', '/v1/secret/data/a%00b'),
    ];
    const want = [400, 400, 400, 400, 400, 405, 404, 431, 413, 400];
    await unchanged(async () => {
      for (let i = 0; i < 200; i++) {
        const k = i % makers.length;
        const r = await makers[k]!(i);
        assert.equal(r.status, want[k], `bad request #${i} (kind ${k}): ${r.status} ${redact(r.text)}`);
      }
      // The same, 50 at a time in parallel.
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => makers[i % makers.length]!(i)));
      replies.forEach((r, i) => {
        assert.equal(r.status, want[i % makers.length], `parallel bad request #${i}: ${redact(r.text)}`);
      });
    });
    const value = randomBytes(16).toString('hex');
    let r = await api('POST', '/v1/secret/data/after/bad', { body: { data: { value } } });
    assert.equal(r.status, 200, r.text);
    r = await api('GET', '/v1/secret/data/after/bad');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.data.value, value);
    r = await api('GET', '/v1/sys/health');
    assert.equal(r.status, 200);
    assert.equal(server.proc.exitCode, null, 'the server is still running');
    const errors = server
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"level":"error"'));
    assert.deepEqual(errors, [], 'bad input logged errors (5xx)');
    const rssAfter = rss(server.proc.pid!);
    if (rssBefore > 0 && rssAfter > 0) {
      assert.ok(
        rssAfter - rssBefore < 256 * 1024 * 1024,
        `RSS grew from ${rssBefore >> 20} MiB to ${rssAfter >> 20} MiB`,
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Bugs found while writing the tests above: each test shows one (see the report).

describe('bad input: known gaps', { timeout: 30_000 }, () => {
  const tmp = tempDir('coffer-e2e-badinput-gaps-');
  let server: ServerProcess;
  const token = 'root';
  const api = (method: string, path: string, opts: Parameters<typeof call>[3] = {}) =>
    call(server.url, method, path, { token, ...opts });

  before(async () => {
    server = await startServerProcess({ dev: { rootToken: token } });
    const r = await api('POST', '/v1/secret/data/seed', { body: { data: { value: 'one' } } });
    assert.equal(r.status, 200, r.text);
  });
  after(async () => {
    await server?.stop('SIGKILL');
    tmp.cleanup();
  });

  // src/sdk/framework/backend.ts validateFields: `key in def.fields` also sees Object.prototype,
  // so a field named like one of its members is never "unknown".
  test('unknown fields named like Object.prototype members (toString, constructor, __proto__) → 400', async () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const body = `{"data":{"value":"two"},${JSON.stringify(name)}:1}`;
      let r = await api('POST', '/v1/secret/data/seed', { rawBody: body });
      assertClientError(r, 400, new RegExp(`unknown field "${name}"`), `unknown field ${name} in a KV write`);
      r = await api('GET', '/v1/secret/data/seed');
      assert.deepEqual(r.json.data.data, { value: 'one' }, `the write with ${name} changed the secret`);
      assert.equal(r.json.data.metadata.version, 1, `the write with ${name} made a new version`);
      r = await api('POST', `/v1/sys/mounts/proto-${name.replaceAll('_', '')}`, {
        rawBody: `{"type":"kv",${JSON.stringify(name)}:1}`,
      });
      assertClientError(r, 400, new RegExp(`unknown field "${name}"`), `unknown field ${name} in a mount`);
      r = await api('GET', `/v1/secret/data/seed?${name}=1`);
      assertClientError(r, 400, new RegExp(`unknown field "${name}"`), `unknown query field ${name}`);
    }
  });

  // src/http/server.ts registers no 'connect' listener: Node then destroys the socket of a
  // CONNECT request without an answer.
  test('CONNECT → 405 with a JSON error, like every other unsupported method', async () => {
    for (const target of ['/v1/secret/data/seed', '127.0.0.1:80']) {
      const r = await rawRequest(server.port, `CONNECT ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
      assertClientError(r, 405, /method/, `CONNECT ${target}`);
    }
    const r = await api('GET', '/v1/sys/health');
    assert.equal(r.status, 200);
  });

  // src/core/router/mount-table.ts MOUNT_PATH_RE accepts `.` and `..` segments: sys/remount takes
  // its target from the body, where the edge's path checks do not apply, and moves the mount to
  // a path no request can reach.
  test('`..` and `.` segments in a mount path given in a body (sys/remount `to`) → 400', async () => {
    let r = await api('POST', '/v1/sys/mounts/movable', { body: { type: 'kv', options: { version: '1' } } });
    assert.equal(r.status, 204, r.text);
    r = await api('POST', '/v1/movable/x', { body: { v: 'kept' } });
    assert.equal(r.status, 204, r.text);
    let at = 'movable';
    try {
      for (const to of ['x/../y', '..', '.', 'a/./b', 'z/..', '../sys2']) {
        r = await api('POST', '/v1/sys/remount', { body: { from: at, to } });
        if (r.status === 200) at = to;
        assertClientError(r, 400, /invalid mount path/, `remount to ${JSON.stringify(to)}`);
        r = await api('GET', '/v1/movable/x');
        assert.equal(r.status, 200, `movable/x unreachable after a remount to ${JSON.stringify(to)}`);
      }
      // sys/mounts/:path itself (a URL path) never gets there: the edge refuses the segment.
      r = await rawRequest(
        server.port,
        `POST /v1/sys/mounts/x/../y HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{"type":"kv"}`,
      );
      assertClientError(r, 400, /invalid path/, 'sys/mounts/x/../y');
    } finally {
      if (at !== 'movable') await api('POST', '/v1/sys/remount', { body: { from: at, to: 'movable' } });
    }
  });
});

/** Resident set size of a process in bytes (Linux), 0 elsewhere. */
function rss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
