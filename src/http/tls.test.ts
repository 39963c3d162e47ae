import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import type { Request } from '../sdk/request.ts';
import { chunked, type EchoServer, exchange, rawRequest, sleep, startEchoServer } from './testing.ts';

/** A throwaway self-signed certificate for localhost / 127.0.0.1. */
function selfSigned(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'k'),
        '-out',
        join(dir, 'c'),
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(join(dir, 'c')), key: readFileSync(join(dir, 'k')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('TLS', () => {
  let server: EchoServer;
  let cert: Buffer;
  let key: Buffer;
  before(async () => {
    const pair = selfSigned();
    cert = pair.cert;
    key = pair.key;
    server = await startEchoServer({ tls: pair });
  });
  after(() => server.close());

  it('serves https on the bound address', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`${server.url}/v1/secret/data/a`, { ca: cert }, (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    assert.equal((JSON.parse(body) as Request).operation, 'read');
  });

  it('LIST works over TLS: keep-alive, pipelined, split, with bodies', async () => {
    const steps = [
      rawRequest('LIST', '/v1/secret/metadata/') + rawRequest('GET', '/v1/a'),
      { wait: 30 },
      'LI',
      { wait: 30 },
      'ST /v1/b HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n{"k":"v"}',
      rawRequest('LIST', '/v1/c', {
        headers: { 'Transfer-Encoding': 'chunked' },
        body: chunked('{"LIST ":', '1}'),
      }),
      rawRequest('LOCK', '/v1/d'),
    ];
    const { responses } = await exchange(
      { port: server.port, tls: { ca: cert, servername: 'localhost' } },
      steps,
      5,
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200, 200, 405],
    );
    assert.deepEqual(
      responses.slice(0, 4).map((r) => `${(r.json as Request).operation} ${(r.json as Request).path}`),
      ['list secret/metadata', 'read a', 'list b', 'list c'],
    );
    assert.deepEqual((responses[3]?.json as Request | undefined)?.data, { 'LIST ': 1 });
  });

  it('a TLS connection starts native and moves to the framer at its first LIST, even split', async () => {
    const steps = [
      rawRequest('GET', '/v1/a'),
      { wait: 30 },
      `${rawRequest('POST', '/v1/b', { body: '{"k":"LIST "}' })}LI`,
      { wait: 30 },
      'ST /v1/c/ HTTP/1.1\r\nHost: x\r\n\r\n',
      rawRequest('GET', '/v1/d'),
    ];
    const { responses } = await exchange(
      { port: server.port, tls: { ca: cert, servername: 'localhost' } },
      steps,
      4,
    );
    assert.deepEqual(
      responses.map((r) => `${r.status} ${(r.json as Request).operation} ${(r.json as Request).path}`),
      ['200 read a', '200 update b', '200 list c', '200 read d'],
    );
  });

  it('close() ends idle TLS connections at once and answers the busy ones first', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gated = await startEchoServer({
      tls: { cert, key },
      handle: async (req) => {
        if (req.path.startsWith('gated')) await gate;
        return { raw: req };
      },
    });
    const connect = async (write: string) => {
      const socket = tls.connect({ port: gated.port, host: '127.0.0.1', ca: cert, servername: 'localhost' });
      socket.on('error', () => {});
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await new Promise((resolve) => socket.once('secureConnect', resolve));
      socket.write(write);
      return { closed, text: () => text };
    };
    const idle = await connect(rawRequest('LIST', '/v1/a/') + rawRequest('GET', '/v1/b'));
    const busy = await connect(rawRequest('GET', '/v1/c') + rawRequest('LIST', '/v1/gated/'));
    await sleep(100);
    const started = performance.now();
    const closing = gated.close();
    await idle.closed;
    assert.ok(performance.now() - started < 500);
    release();
    await busy.closed;
    await closing;
    assert.equal(idle.text().match(/HTTP\/1\.1 200/g)?.length, 2);
    assert.equal(busy.text().match(/HTTP\/1\.1 200/g)?.length, 2);
    assert.match(busy.text(), /\r\nConnection: close\r\n/i);
  });

  it('plain HTTP on the TLS port is refused without harm', async () => {
    const { responses } = await exchange(server, [rawRequest('GET', '/v1/a')], 1, { timeoutMs: 1000 });
    assert.equal(responses.length, 0);
    const again = await exchange(
      { port: server.port, tls: { ca: cert, servername: 'localhost' } },
      [rawRequest('LIST', '/v1/a')],
      1,
    );
    assert.equal(again.responses[0]?.status, 200);
  });
});
