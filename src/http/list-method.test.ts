import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Request } from '../sdk/request.ts';
import { chunked, type EchoServer, exchange, rawRequest, sleep, startEchoServer } from './testing.ts';

/** The Request core received, as echoed back. */
const echoed = (json: unknown) => json as Request;

describe('LIST over raw sockets', () => {
  let server: EchoServer;
  before(async () => {
    server = await startEchoServer();
  });
  after(() => server.close());

  it('mixes LIST, GET, POST (Content-Length and chunked) and LIST with a body on one keep-alive connection', async () => {
    const steps = [
      rawRequest('LIST', '/v1/secret/metadata/'),
      { wait: 30 },
      rawRequest('GET', '/v1/secret/data/app'),
      { wait: 30 },
      rawRequest('POST', '/v1/secret/data/app', { body: '{"data":{"LIST ":"LIST /v1/x HTTP/1.1"}}' }),
      { wait: 30 },
      rawRequest('PUT', '/v1/secret/data/b', {
        headers: { 'Transfer-Encoding': 'chunked' },
        body: chunked('{"data":', '{"k":"LIST "}}'),
      }),
      { wait: 30 },
      rawRequest('LIST', '/v1/secret/metadata/dir', { body: '{"after":"a"}' }),
      { wait: 30 },
      rawRequest('LIST', '/v1/secret/metadata/dir2', {
        headers: { 'Transfer-Encoding': 'chunked' },
        body: chunked('{"limit":', '"5"}'),
      }),
    ];
    const { responses, closed } = await exchange(server, steps, 6);
    assert.equal(closed, false);
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    const reqs = responses.map((r) => echoed(r.json));
    assert.deepEqual(
      reqs.map((r) => [r.operation, r.path]),
      [
        ['list', 'secret/metadata'],
        ['read', 'secret/data/app'],
        ['update', 'secret/data/app'],
        ['update', 'secret/data/b'],
        ['list', 'secret/metadata/dir'],
        ['list', 'secret/metadata/dir2'],
      ],
    );
    assert.deepEqual(reqs[2]?.data, { data: { 'LIST ': 'LIST /v1/x HTTP/1.1' } });
    assert.deepEqual(reqs[3]?.data, { data: { k: 'LIST ' } });
    assert.deepEqual(reqs[4]?.data, { after: 'a' });
    assert.deepEqual(reqs[5]?.data, { limit: '5' });
  });

  it('answers several requests pipelined in one write, in order', async () => {
    const write = [
      rawRequest('LIST', '/v1/a/'),
      rawRequest('GET', '/v1/b'),
      rawRequest('LIST', '/v1/c', { body: '{"x":"LIST "}' }),
      rawRequest('POST', '/v1/d', {
        body: 'LIST /v1/e HTTP/1.1\r\n\r\n'.replace(/.*/s, '{"s":"LIST /v1/e"}'),
      }),
      rawRequest('LOCK', '/v1/f'),
      rawRequest('DELETE', '/v1/g'),
      rawRequest('LIST', '/v1/h', { headers: { 'Transfer-Encoding': 'chunked' }, body: chunked('') }),
    ].join('');
    const { responses } = await exchange(server, [write], 7);
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200, 200, 405, 200, 200],
    );
    assert.deepEqual(
      responses
        .filter((r) => r.status === 200)
        .map((r) => `${echoed(r.json).operation} ${echoed(r.json).path}`),
      ['list a', 'read b', 'list c', 'update d', 'delete g', 'list h'],
    );
    assert.deepEqual(responses[4]?.json, { errors: ['unsupported method'] });
  });

  it('understands LIST split across TCP packets', async () => {
    const steps = [
      'LI',
      { wait: 50 },
      'ST /v1/secret/metadata/ HTTP/1.1\r\nHo',
      { wait: 50 },
      'st: x\r\n\r\nL',
      { wait: 50 },
      'IST /v1/other HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{',
      { wait: 50 },
      '}',
    ];
    const { responses } = await exchange(server, steps, 2);
    assert.deepEqual(
      responses.map((r) => `${r.status} ${echoed(r.json).operation} ${echoed(r.json).path}`),
      ['200 list secret/metadata', '200 list other'],
    );
  });

  it('refuses a genuine LOCK with 405, between LISTs, and keeps the connection', async () => {
    const steps = [rawRequest('LIST', '/v1/a'), rawRequest('LOCK', '/v1/a'), rawRequest('LIST', '/v1/a')];
    const { responses, closed } = await exchange(server, steps, 3, { keepOpenMs: 50 });
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 405, 200],
    );
    assert.equal(responses[1]?.headers.allow, 'GET, HEAD, POST, PUT, PATCH, DELETE, LIST');
    assert.equal(closed, false);
  });

  it('answers 500 LISTs pipelined in one write', async () => {
    const many = rawRequest('LIST', '/v1/dir/').repeat(500);
    const { responses } = await exchange(server, [many], 500, { timeoutMs: 10_000 });
    assert.equal(responses.length, 500);
    assert.ok(responses.every((r) => r.status === 200 && echoed(r.json).operation === 'list'));
  });

  it('applies backpressure to a slow reader without losing responses', async () => {
    // 2,000 pipelined LISTs whose 32 KiB answers are left unread for a while: the edge must stop
    // reading (and so stop calling core) until the client reads, then answer every one in order.
    let calls = 0;
    const big = await startEchoServer({
      handle: async () => ({ raw: { n: ++calls, pad: 'x'.repeat(32 * 1024) } }),
    });
    try {
      let callsWhileUnread = 0;
      setTimeout(() => {
        callsWhileUnread = calls;
      }, 400);
      const steps = [rawRequest('LIST', '/v1/a/').repeat(2000)];
      const { responses } = await exchange(big, steps, 2000, { timeoutMs: 20_000, readAfterMs: 500 });
      assert.ok(callsWhileUnread > 0 && callsWhileUnread < 2000, `core called ${callsWhileUnread} times`);
      assert.equal(responses.length, 2000);
      assert.deepEqual(
        responses.map((r) => (r.json as { n: number }).n),
        Array.from({ length: 2000 }, (_, i) => i + 1),
      );
    } finally {
      await big.close();
    }
  });

  it("Node's own HTTP client sends LIST on a reused keep-alive socket, as node-vault does", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const call = (method: string, path: string, body?: string) =>
      new Promise<{ port: number; req: Request }>((resolve, reject) => {
        const req = http.request(`${server.url}${path}`, { method, agent }, (res) => {
          const port = res.socket.localPort ?? 0;
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ port, req: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end(body);
      });
    try {
      const answers = [
        await call('LIST', '/v1/secret/metadata/'),
        await call('GET', '/v1/secret/data/a'),
        await call('LIST', '/v1/secret/metadata/dir/', '{"x":1}'),
        await call('POST', '/v1/secret/data/a', '{"data":{}}'),
      ];
      assert.deepEqual(
        answers.map((a) => a.req.operation),
        ['list', 'read', 'list', 'update'],
      );
      assert.equal(new Set(answers.map((a) => a.port)).size, 1, 'one connection');
    } finally {
      agent.destroy();
    }
  });

  it('echoes the remote address of the real socket', async () => {
    const { responses } = await exchange(server, [rawRequest('LIST', '/v1/a/')], 1);
    assert.equal(echoed(responses[0]?.json).remoteAddr, '127.0.0.1');
    await sleep(0);
  });
});
