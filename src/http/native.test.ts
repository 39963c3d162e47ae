import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Request, Response } from '../sdk/request.ts';
import { EdgeSocket } from './edge-socket.ts';
import {
  type EchoServer,
  exchange,
  type RawResponse,
  rawRequest,
  sleep,
  startEchoServer,
} from './testing.ts';

const said = (r: RawResponse | undefined) => {
  const req = r?.json as Request | undefined;
  return `${r?.status} ${req?.operation} ${req?.path}`;
};

/** Echoes the request; paths starting with `slow` answer after 150 ms. */
async function slowEcho(req: Request): Promise<Response> {
  if (req.path.startsWith('slow')) await sleep(150);
  return { raw: req };
}

describe("connections start on Node's native parser and move to the LIST framer when needed", () => {
  let server: EchoServer;
  /** For each request to /ui/…: method and whether Node's parser read it through an EdgeSocket. */
  const seen: string[] = [];
  before(async () => {
    server = await startEchoServer({
      handle: slowEcho,
      ui: (req, res) => {
        seen.push(`${req.method} ${req.socket instanceof EdgeSocket ? 'framed' : 'native'}`);
        res.end();
        return true;
      },
    });
  });
  after(() => server.close());

  it('a connection stays native until its first LIST, then stays on the framer', async () => {
    seen.length = 0;
    const steps = [
      rawRequest('GET', '/ui/a'),
      { wait: 30 },
      rawRequest('GET', '/ui/b') + rawRequest('LIST', '/ui/c'),
      { wait: 30 },
      rawRequest('GET', '/ui/d'),
      { wait: 30 },
      rawRequest('LOCK', '/v1/e') + rawRequest('LIST', '/v1/f/'),
    ];
    const { responses, closed } = await exchange(server, steps, 6, { keepOpenMs: 50 });
    assert.deepEqual(seen, ['GET native', 'GET native', 'LIST framed', 'GET framed']);
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200, 200, 405, 200],
    );
    assert.equal(said(responses[5]), '200 list f');
    assert.equal(closed, false);
  });

  it('answers a slow request pipelined before a LIST first, then the LIST, then what follows', async () => {
    const write = [
      rawRequest('GET', '/v1/slow/a'),
      rawRequest('LIST', '/v1/dir/'),
      rawRequest('GET', '/v1/b'),
    ].join('');
    const { responses } = await exchange(server, [write], 3);
    assert.deepEqual(responses.map(said), ['200 read slow/a', '200 list dir', '200 read b']);
  });

  it('the same with bodies: a slow POST, a LIST with a body, a PUT, in one packet', async () => {
    const write = [
      rawRequest('POST', '/v1/slow/a', { body: '{"s":"LIST /v1/x HTTP/1.1"}' }),
      rawRequest('GET', '/v1/slow/b'),
      rawRequest('LIST', '/v1/dir', { body: '{"after":"k"}' }),
      rawRequest('PUT', '/v1/c', { body: '{"x":1}' }),
    ].join('');
    const { responses } = await exchange(server, [write], 4);
    assert.deepEqual(responses.map(said), [
      '200 update slow/a',
      '200 read slow/b',
      '200 list dir',
      '200 update c',
    ]);
    assert.deepEqual((responses[0]?.json as Request | undefined)?.data, { s: 'LIST /v1/x HTTP/1.1' });
    assert.deepEqual((responses[2]?.json as Request | undefined)?.data, { after: 'k' });
  });

  it('understands a LIST sent byte by byte after native requests', async () => {
    const list = rawRequest('LIST', '/v1/dir/');
    const steps = [rawRequest('GET', '/v1/slow/a'), ...[...list].flatMap((c) => [c, { wait: 2 }])];
    const { responses } = await exchange(server, steps, 2);
    assert.deepEqual(responses.map(said), ['200 read slow/a', '200 list dir']);
  });

  it('refuses UNLIST with 405 instead of taking it for LIST', async () => {
    const { responses, closed } = await exchange(server, [rawRequest('UNLIST', '/v1/a')], 1, {
      keepOpenMs: 300,
    });
    assert.equal(responses[0]?.status, 405);
    assert.deepEqual(responses[0]?.json, { errors: ['unsupported method'] });
    assert.equal(closed, true);
  });

  it('answers a slow request before refusing the garbage that follows it, then closes', async () => {
    const write = `${rawRequest('GET', '/v1/slow/a')}NOT HTTP\r\n\r\n`;
    const { responses, closed } = await exchange(server, [write], 2, { keepOpenMs: 300 });
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 400],
    );
    assert.deepEqual(responses[1]?.json, { errors: ['malformed request'] });
    assert.equal(closed, true);
  });

  it('a header overflow after a slow request: answer, then 431, then close', async () => {
    const big = rawRequest('GET', '/v1/x', { headers: { 'X-Big': 'a'.repeat(20 * 1024) } });
    const { responses, closed } = await exchange(server, [rawRequest('GET', '/v1/slow/a') + big], 2, {
      keepOpenMs: 300,
    });
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 431],
    );
    assert.equal(closed, true);
  });

  it('after a `Connection: close` answer, reads and drops what the client still sends (FIN, no reset)', async () => {
    // Half-open allowed: the client goes on writing after the server's FIN, as a pipelining client would.
    const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
    let received = '';
    let ended = false;
    let error: Error | undefined;
    socket.on('data', (d) => {
      received += d;
    });
    socket.on('end', () => {
      ended = true;
    });
    socket.on('error', (err) => {
      error = err;
    });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(rawRequest('GET', '/v1/a', { headers: { Connection: 'close' } }));
    for (let i = 0; i < 30 && !socket.destroyed; i++) {
      socket.write(Buffer.alloc(16 * 1024, 0x61));
      await sleep(10);
    }
    assert.equal(socket.destroyed, false);
    socket.destroy();
    assert.match(received, /^HTTP\/1\.1 200 /);
    assert.equal(ended, true, 'the server sent FIN');
    assert.equal(error, undefined);
  });
});

describe('close() with native and converted connections', () => {
  /** Resolves when the socket closes; false if it is still open after `ms`. */
  const closesWithin = (socket: net.Socket, ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  async function open(
    server: EchoServer,
    write: string,
  ): Promise<{ socket: net.Socket; text: () => string }> {
    const socket = net.connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    let text = '';
    socket.on('data', (d) => {
      text += d;
    });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(write);
    return { socket, text: () => text };
  }

  it('closes idle connections at once, and busy ones after their answer', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startEchoServer({
      handle: async (req) => {
        if (req.path.startsWith('gated')) await gate;
        return { raw: req };
      },
    });
    const nativeIdle = await open(server, rawRequest('GET', '/v1/a'));
    const framedIdle = await open(server, rawRequest('LIST', '/v1/a/'));
    const framedBusy = await open(server, rawRequest('LIST', '/v1/gated/'));
    // A LIST waiting for the gated answer before it: the connection is busy, the LIST never runs.
    const waiting = await open(server, rawRequest('GET', '/v1/gated') + rawRequest('LIST', '/v1/b/'));
    await sleep(100);
    assert.match(nativeIdle.text(), /^HTTP\/1\.1 200 /);
    assert.match(framedIdle.text(), /^HTTP\/1\.1 200 /);

    const closed = server.close();
    const idleClosed = await Promise.all([
      closesWithin(nativeIdle.socket, 300),
      closesWithin(framedIdle.socket, 300),
    ]);
    assert.deepEqual(idleClosed, [true, true]);
    assert.equal(framedBusy.socket.destroyed, false);
    assert.equal(waiting.socket.destroyed, false);

    release();
    const busyClosed = await Promise.all([
      closesWithin(framedBusy.socket, 3000),
      closesWithin(waiting.socket, 3000),
    ]);
    await closed;
    assert.deepEqual(busyClosed, [true, true]);
    for (const busy of [framedBusy, waiting]) {
      const answers = busy.text().match(/HTTP\/1\.1 \d+/g);
      assert.deepEqual(answers, ['HTTP/1.1 200'], busy.text());
      assert.match(busy.text(), /\r\nConnection: close\r\n/i);
    }
    assert.equal(
      server.requests.filter((r) => r.path === 'b').length,
      0,
      'the LIST after the close never ran',
    );
  });
});
