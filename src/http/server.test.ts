import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../sdk/logger.ts';
import { parseAddress, startHttpServer } from './server.ts';
import { exchange, rawRequest } from './testing.ts';

describe('startHttpServer', () => {
  it('parses listen addresses', () => {
    assert.deepEqual(parseAddress('127.0.0.1:8200'), { host: '127.0.0.1', port: 8200 });
    assert.deepEqual(parseAddress('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parseAddress(':8200'), { host: undefined, port: 8200 });
    for (const bad of ['8200', '127.0.0.1', '127.0.0.1:port', '127.0.0.1:70000', '[::1]8200']) {
      assert.throws(() => parseAddress(bad), /invalid listen address/, bad);
    }
  });

  it('reports the address and URL actually bound, and closes', async () => {
    const server = await startHttpServer({
      address: '127.0.0.1:0',
      logger: silentLogger,
      handle: async () => ({ data: { ok: true } }),
    });
    assert.match(server.address, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(server.address, '127.0.0.1:0');
    assert.equal(server.url, `http://${server.address}`);
    const port = Number(server.address.split(':')[1]);
    const { responses } = await exchange({ port }, [rawRequest('GET', '/v1/x')], 1);
    assert.deepEqual((responses[0]?.json as { data?: unknown } | undefined)?.data, { ok: true });
    await server.close();
    await server.close(); // twice is fine
  });

  it('fails to start on an address in use', async () => {
    const first = await startHttpServer({
      address: '127.0.0.1:0',
      logger: silentLogger,
      handle: async () => ({}),
    });
    try {
      await assert.rejects(
        startHttpServer({ address: first.address, logger: silentLogger, handle: async () => ({}) }),
        /EADDRINUSE/,
      );
    } finally {
      await first.close();
    }
  });

  it('lets a request in flight finish on close, then closes its connection', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startHttpServer({
      address: '127.0.0.1:0',
      logger: silentLogger,
      handle: async () => {
        await gate;
        return { data: { done: true } };
      },
    });
    const port = Number(server.address.split(':')[1]);
    const pending = exchange({ port }, [rawRequest('GET', '/v1/slow')], 1, { keepOpenMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = server.close();
    release();
    const { responses, closed: connectionClosed } = await pending;
    await closed;
    assert.equal(responses[0]?.status, 200);
    assert.equal(responses[0]?.headers.connection, 'close');
    assert.equal(connectionClosed, true);
  });
});
