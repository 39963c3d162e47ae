import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { auditDeviceConformance } from '../../core/audit/conformance.ts';
import { BadRequestError, InvalidFieldError } from '../../sdk/errors.ts';
import { silentLogger } from '../../sdk/logger.ts';
import { hostPort, parseSocketOptions, socketFactory } from './socket.ts';

const dir = await mkdtemp(join(tmpdir(), 'coffer-audit-sock-'));
after(() => rm(dir, { recursive: true, force: true }));
const deps = { logger: silentLogger };
let n = 0;

/** A line collector listening on TCP (127.0.0.1, ephemeral port) or a unix socket. */
async function collector(kind: 'tcp' | 'unix', at?: string | number) {
  const got: string[] = [];
  const conns = new Set<net.Socket>();
  let buf = '';
  const waiters: (() => void)[] = [];
  const server = net.createServer((c) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
    c.on('data', (d) => {
      buf += d.toString('utf8');
      const parts = buf.split('\n');
      buf = parts.pop()!;
      got.push(...parts);
      for (const w of waiters.splice(0)) w();
    });
  });
  const address = kind === 'unix' ? (typeof at === 'string' ? at : join(dir, `s${n++}.sock`)) : undefined;
  await new Promise<void>((resolve) =>
    kind === 'unix'
      ? server.listen(address, resolve)
      : server.listen(typeof at === 'number' ? at : 0, '127.0.0.1', resolve),
  );
  const addr = kind === 'unix' ? address! : `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    address: addr,
    port: kind === 'tcp' ? (server.address() as net.AddressInfo).port : 0,
    got,
    async received(count: number) {
      const deadline = Date.now() + 2000;
      while (got.length < count && Date.now() < deadline)
        await new Promise<void>((r) => waiters.push(r) && setTimeout(r, 50));
      return [...got];
    },
    async stop() {
      for (const c of conns) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise((r) => setTimeout(r, 30)); // let the client see the close
    },
  };
}

for (const kind of ['tcp', 'unix'] as const) {
  describe(`socket audit device (${kind})`, () => {
    auditDeviceConformance(async () => {
      const c = await collector(kind);
      const device = await socketFactory({ address: c.address, socket_type: kind }, deps);
      return {
        device,
        received: (count) => c.received(count),
        cleanup: async () => {
          await device.close();
          await c.stop();
        },
      };
    });

    it('enabling fails with 400 when nothing listens', async () => {
      const c = await collector(kind);
      await c.stop();
      await assert.rejects(socketFactory({ address: c.address, socket_type: kind }, deps), (err: unknown) => {
        assert.ok(err instanceof BadRequestError);
        assert.match(err.message, /cannot connect/);
        return true;
      });
    });

    it('server down: write rejects; server back: reconnects and writes', async () => {
      const c = await collector(kind);
      const device = await socketFactory(
        { address: c.address, socket_type: kind, write_timeout: '1s' },
        deps,
      );
      try {
        await device.write(['{"n":1}']);
        assert.deepEqual(await c.received(1), ['{"n":1}']);
        await c.stop();
        await assert.rejects(device.write(['{"n":2}']));
        await assert.rejects(device.write(['{"n":3}']));
        const back = await collector(kind, kind === 'unix' ? c.address : c.port);
        try {
          await device.write(['{"n":4}']);
          assert.deepEqual(await back.received(1), ['{"n":4}']);
        } finally {
          await device.close();
          await back.stop();
        }
      } finally {
        await device.close();
      }
    });
  });
}

describe('socket audit device (timeout)', () => {
  it('a collector that stops reading makes the write reject after write_timeout', async () => {
    const conns: net.Socket[] = [];
    const server = net.createServer((c) => {
      c.pause();
      conns.push(c);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const device = await socketFactory({ address, write_timeout: '300ms' }, deps);
    try {
      const started = Date.now();
      await assert.rejects(device.write(['x'.repeat(64 * 1024 * 1024)]), /timed out/);
      assert.ok(Date.now() - started < 2000);
    } finally {
      await device.close();
      for (const c of conns) c.destroy();
      server.close();
    }
  });
});

describe('socket audit device (long write_timeout)', () => {
  it('a write_timeout beyond what one timer can wait (~24.8 days) does not time out at once', async () => {
    // Node fires a setTimeout of more than 2^31-1 ms after 1 ms: with "720h" any write that had
    // to wait for the collector at all "timed out" at once
    const conns: net.Socket[] = [];
    let bytes = 0;
    const server = net.createServer((c) => {
      conns.push(c);
      c.pause();
      c.on('data', (d: Buffer) => {
        bytes += d.length;
      });
      setTimeout(() => c.resume(), 200);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const device = await socketFactory({ address, write_timeout: '720h' }, deps);
    try {
      const line = 'x'.repeat(16 * 1024 * 1024);
      await device.write([line]);
      assert.ok(bytes > 0);
    } finally {
      await device.close();
      for (const c of conns) c.destroy();
      server.close();
    }
  });
});

describe('socket audit device (udp)', () => {
  it('sends one datagram per line', async () => {
    const server = dgram.createSocket('udp4');
    const got: string[] = [];
    server.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    const device = await socketFactory(
      { address: `127.0.0.1:${server.address().port}`, socket_type: 'udp' },
      deps,
    );
    try {
      await device.write(['{"a":1}', '{"a":2}']);
      const deadline = Date.now() + 2000;
      while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got.toSorted(), ['{"a":1}\n', '{"a":2}\n']);
      await device.reopen();
      await device.write(['{"a":3}']);
      await device.close();
      await assert.rejects(device.write(['{"a":4}']), /closed/);
    } finally {
      server.close();
    }
  });
});

describe('socket options', () => {
  it('parses address, socket_type and write_timeout; refuses the rest', () => {
    assert.deepEqual(parseSocketOptions({ address: '127.0.0.1:9090' }), {
      address: '127.0.0.1:9090',
      socketType: 'tcp',
      writeTimeout: 2000,
    });
    assert.equal(
      parseSocketOptions({ address: '/run/a.sock', socket_type: 'unix', write_timeout: '500ms' })
        .writeTimeout,
      500,
    );
    assert.equal(parseSocketOptions({ address: 'h:1', write_timeout: '5s' }).writeTimeout, 5000);
    assert.deepEqual(hostPort('[::1]:8200'), { host: '::1', port: 8200 });
    assert.deepEqual(hostPort('logs.example.com:514'), { host: 'logs.example.com', port: 514 });
    assert.throws(() => parseSocketOptions({}), InvalidFieldError);
    assert.throws(() => parseSocketOptions({ address: 'nohost' }), InvalidFieldError);
    assert.throws(() => parseSocketOptions({ address: 'h:99999' }), InvalidFieldError);
    assert.throws(() => parseSocketOptions({ address: 'h:1', socket_type: 'sctp' }), InvalidFieldError);
    assert.throws(() => parseSocketOptions({ address: 'h:1', write_timeout: 'soon' }), InvalidFieldError);
    assert.throws(() => parseSocketOptions({ address: 'h:1', write_timeout: '0' }), InvalidFieldError);
    assert.throws(() => parseSocketOptions({ address: 'h:1', file_path: '/x' }), /unknown option/);
  });
});
