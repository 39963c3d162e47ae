import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Request } from '../sdk/request.ts';
import {
  type EchoServer,
  exchange,
  type RawResponse,
  rawRequest,
  sleep,
  startEchoServer,
} from './testing.ts';

const echoed = (r: RawResponse | undefined) => r?.json as Request;

describe('limits and malformed input', () => {
  let server: EchoServer;
  before(async () => {
    server = await startEchoServer({ maxRequestSize: 1024, timeouts: { headers: 400, request: 1500 } });
  });
  after(() => server.close());

  /** The server still answers a fresh connection. */
  async function stillServing(): Promise<void> {
    const { responses } = await exchange(server, [rawRequest('LIST', '/v1/alive/')], 1);
    assert.equal(responses[0]?.status, 200);
    assert.equal(echoed(responses[0]).operation, 'list');
  }

  function assertJSONError(res: RawResponse | undefined, status: number): void {
    assert.ok(res, 'a response');
    assert.equal(res.status, status, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['content-type'], 'application/json');
    assert.ok(Array.isArray((res.json as { errors?: unknown }).errors), res.body);
  }

  it('a body at the limit is fine', async () => {
    const body = JSON.stringify({ a: 'x'.repeat(1024 - 8) });
    assert.equal(body.length, 1024);
    const { responses } = await exchange(server, [rawRequest('POST', '/v1/x', { body })], 1);
    assert.equal(responses[0]?.status, 200);
  });

  it('Content-Length over the limit → 413 at once and close, without waiting for the body', async () => {
    const head = 'POST /v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n{"a":"';
    const started = performance.now();
    const { responses, closed } = await exchange(server, [head], 1, { keepOpenMs: 300 });
    assertJSONError(responses[0], 413);
    assert.deepEqual(responses[0]?.json, { errors: ['request body too large'] });
    assert.equal(closed, true);
    assert.ok(performance.now() - started < 1000);
    await stillServing();
  });

  it('a chunked body growing past the limit → 413 and close', async () => {
    const head = 'PUT /v1/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunk = `200\r\n${'a'.repeat(0x200)}\r\n`;
    const steps = [head, chunk, chunk, { wait: 20 }, chunk, chunk, chunk];
    const { responses, closed } = await exchange(server, steps, 1, { keepOpenMs: 300 });
    assertJSONError(responses[0], 413);
    assert.equal(closed, true);
    await stillServing();
  });

  it('a client that keeps sending after the 413 still reads it (no reset)', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => {
      received += d;
    });
    socket.on('error', () => {});
    socket.write('POST /v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n');
    for (let i = 0; i < 20 && !socket.destroyed; i++) {
      socket.write(Buffer.alloc(64 * 1024, 0x61));
      await sleep(5);
    }
    await sleep(100);
    socket.destroy();
    assert.match(received, /^HTTP\/1\.1 413 /);
  });

  it('Expect: 100-continue over the limit → 413 without 100 Continue', async () => {
    const head = 'POST /v1/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n';
    const socket = net.connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => {
      received += d;
    });
    socket.write(head);
    await sleep(200);
    socket.destroy();
    assert.doesNotMatch(received, /100 Continue/);
    assert.match(received, /^HTTP\/1\.1 413 /);
  });

  it('Expect: 100-continue within the limit → 100 Continue, then the answer', async () => {
    const body = '{"a":1}';
    const head = `POST /v1/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { responses } = await exchange(server, [head, { wait: 100 }, body], 1);
    assert.equal(responses[0]?.status, 200);
    assert.deepEqual(echoed(responses[0]).data, { a: 1 });
  });

  it('JSON nested 100,000 deep → 400, fast, and the server lives', async () => {
    const big = await startEchoServer();
    try {
      const body = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const started = performance.now();
      const { responses } = await exchange(big, [rawRequest('POST', '/v1/x', { body })], 1);
      assert.ok(performance.now() - started < 1000);
      assertJSONError(responses[0], 400);
      assert.match(
        String((responses[0]?.json as { errors: string[] } | undefined)?.errors[0]),
        /failed to parse JSON input/,
      );
      const again = await exchange(big, [rawRequest('GET', '/v1/y')], 1);
      assert.equal(again.responses[0]?.status, 200);
    } finally {
      await big.close();
    }
  });

  it('JSON deeper than maxJSONDepth → 400', async () => {
    const shallow = await startEchoServer({ maxJSONDepth: 3 });
    try {
      const ok = await exchange(shallow, [rawRequest('POST', '/v1/x', { body: '{"a":{"b":[1]}}' })], 1);
      assert.equal(ok.responses[0]?.status, 200);
      const deep = await exchange(shallow, [rawRequest('POST', '/v1/x', { body: '{"a":{"b":[[1]]}}' })], 1);
      assertJSONError(deep.responses[0], 400);
    } finally {
      await shallow.close();
    }
  });

  const badBodies: Array<[string, string]> = [
    ['malformed JSON', '{"a":'],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"x"'],
    ['JSON null', 'null'],
  ];
  for (const [name, body] of badBodies) {
    it(`${name} → 400, connection kept`, async () => {
      const steps = [rawRequest('POST', '/v1/x', { body }), rawRequest('GET', '/v1/y')];
      const { responses, closed } = await exchange(server, steps, 2);
      assertJSONError(responses[0], 400);
      assert.match(
        String((responses[0]?.json as { errors: string[] } | undefined)?.errors[0]),
        /^failed to parse JSON input/,
      );
      assert.equal(responses[1]?.status, 200);
      assert.equal(closed, false);
    });
  }

  it('headers over maxHeaderSize → 431 and close', async () => {
    const request = rawRequest('GET', '/v1/x', { headers: { 'X-Big': 'a'.repeat(20 * 1024) } });
    const { responses, closed } = await exchange(server, [request], 1, { keepOpenMs: 300 });
    assertJSONError(responses[0], 431);
    assert.equal(closed, true);
    await stillServing();
  });

  it('a header section over the limit in many small headers → 431', async () => {
    const headers = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`X-H${i}`, 'v'.repeat(50)]));
    const { responses } = await exchange(server, [rawRequest('LIST', '/v1/x', { headers })], 1);
    assertJSONError(responses[0], 431);
  });

  const garbage: Array<[string, string | Buffer]> = [
    ['random bytes', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a])],
    ['a TLS ClientHello on the plain port', Buffer.from('16030100a5010000a10303', 'hex')],
    ['a request line without version', 'GET /v1/x\r\nHost: x\r\n\r\n'],
    ['a header without colon', 'GET /v1/x HTTP/1.1\r\nHost x\r\n\r\n'],
    [
      'an invalid chunk size',
      'POST /v1/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
    ],
    [
      'Content-Length and Transfer-Encoding',
      'POST /v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    ],
    [
      'two Content-Length',
      'POST /v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    ],
    ['a bare LF', 'GET /v1/x HTTP/1.1\nHost: x\n\n'],
    ['an unknown HTTP version', 'GET /v1/x HTTP/9.9\r\nHost: x\r\n\r\n'],
  ];
  for (const [name, bytes] of garbage) {
    it(`${name} → 400 and close; the server keeps serving`, async () => {
      const { responses, closed } = await exchange(server, [bytes], 1, { keepOpenMs: 300 });
      assertJSONError(responses[0], 400);
      assert.equal(closed, true);
      await stillServing();
    });
  }

  it('pipelined good requests before garbage are answered first', async () => {
    const steps = [
      `${rawRequest('LIST', '/v1/a/') + rawRequest('POST', '/v1/b', { body: '{}' })}NOT HTTP\r\n\r\n`,
    ];
    const { responses, closed } = await exchange(server, steps, 3, { keepOpenMs: 300 });
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 400],
    );
    assert.equal(echoed(responses[0]).operation, 'list');
    assert.equal(closed, true);
  });

  it('a chunked body that breaks mid-way → 400 for that request', async () => {
    const head = 'POST /v1/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    const { responses, closed } = await exchange(server, [head, { wait: 50 }, '3\r\nabc\r\nxyz\r\n'], 1, {
      keepOpenMs: 300,
    });
    assertJSONError(responses[0], 400);
    assert.equal(responses.length, 1);
    assert.equal(closed, true);
  });

  it('data after Connection: close is ignored; the answer still comes', async () => {
    const steps = [
      rawRequest('GET', '/v1/a', { headers: { Connection: 'close' } }) + rawRequest('GET', '/v1/b'),
    ];
    const { responses, closed } = await exchange(server, steps, 2, { keepOpenMs: 300 });
    assert.deepEqual(
      responses.map((r) => r.status),
      [200],
    );
    assert.equal(closed, true);
  });

  it('a client that half-closes after its request still gets the answer', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => {
      received += d;
    });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.end(rawRequest('LIST', '/v1/a/') + rawRequest('GET', '/v1/b'));
    await closed;
    assert.equal(received.match(/HTTP\/1\.1 200 OK/g)?.length, 2);
  });

  it('slowloris: headers that never finish → 408 and close', async () => {
    const started = performance.now();
    const steps = [
      'GET /v1/x HTTP/1.1\r\nHost: x\r\n',
      { wait: 300 },
      'X-A: 1\r\n',
      { wait: 300 },
      'X-B: 2\r\n',
    ];
    const { responses, closed } = await exchange(server, steps, 1, { timeoutMs: 4000, keepOpenMs: 300 });
    assertJSONError(responses[0], 408);
    assert.equal(closed, true);
    assert.ok(performance.now() - started < 3000);
  });

  it('an idle connection that never sends a byte is closed, without an answer', async () => {
    const { responses, closed } = await exchange(server, [], 1, { timeoutMs: 4000 });
    assert.equal(closed, true);
    assert.equal(responses.length, 0);
  });

  it('a body that trickles in past the request timeout → 408 and close', async () => {
    const steps: Array<string | { wait: number }> = [
      'POST /v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n',
    ];
    for (let i = 0; i < 10; i++) steps.push({ wait: 250 }, 'a');
    const { responses, closed } = await exchange(server, steps, 1, { timeoutMs: 5000, keepOpenMs: 300 });
    assertJSONError(responses[0], 408);
    assert.equal(closed, true);
  });

  it('close() ends idle keep-alive connections at once', async () => {
    const other = await startEchoServer();
    const socket = net.connect(other.port, '127.0.0.1');
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.write(rawRequest('GET', '/v1/a'));
    await sleep(50);
    const started = performance.now();
    await other.close();
    assert.ok(performance.now() - started < 500);
    socket.destroy();
  });
});
