import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type TestServer, testServer } from '../helpers/server.ts';

let t: TestServer;
before(async () => {
  t = await testServer({ rootToken: 'root-raw' });
  for (const name of ['a', 'b', 'dir/c']) await t.client.kvPut('secret', name, { v: name });
});
after(() => t.close());

/** Sends raw bytes (in chunks, with pauses) on ONE connection and collects `count` responses. */
async function exchange(chunks: string[], count: number): Promise<Array<{ status: number; body: string }>> {
  const sock = connect(t.port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let buf = '';
  sock.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
  });
  for (const c of chunks) {
    sock.write(c);
    await sleep(30);
  }
  const out: Array<{ status: number; body: string }> = [];
  const deadline = Date.now() + 5000;
  while (out.length < count) {
    const end = buf.indexOf('\r\n\r\n');
    if (end !== -1) {
      const head = buf.slice(0, end);
      const status = Number(head.split(' ')[1]);
      const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length >= end + 4 + len) {
        out.push({ status, body: buf.slice(end + 4, end + 4 + len) });
        buf = buf.slice(end + 4 + len);
        continue;
      }
    }
    if (Date.now() > deadline)
      throw new Error(`timed out with ${out.length}/${count} responses; buffer: ${buf}`);
    await sleep(10);
  }
  sock.destroy();
  return out;
}

const H = 'Host: x\r\nX-Vault-Token: root-raw\r\n';
const post = (path: string, body: string) =>
  `POST ${path} HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

it('LIST mixed with GET and POST-with-body on one keep-alive connection, against the real server', async () => {
  const res = await exchange(
    [
      `LIST /v1/secret/metadata HTTP/1.1\r\n${H}\r\n`,
      `GET /v1/secret/data/a HTTP/1.1\r\n${H}\r\n`,
      post('/v1/secret/data/new', '{"data":{"v":"LIST /v1/secret/metadata HTTP/1.1"}}'),
      `LIST /v1/secret/metadata/dir/ HTTP/1.1\r\n${H}\r\n`,
      `GET /v1/secret/metadata?list=true HTTP/1.1\r\n${H}\r\n`,
    ],
    5,
  );
  assert.deepEqual(
    res.map((r) => r.status),
    [200, 200, 200, 200, 200],
  );
  assert.deepEqual(JSON.parse(res[0]!.body).data.keys, ['a', 'b', 'dir/']);
  assert.equal(JSON.parse(res[1]!.body).data.data.v, 'a');
  assert.deepEqual(JSON.parse(res[3]!.body).data.keys, ['c']);
  assert.deepEqual(JSON.parse(res[4]!.body).data.keys, ['a', 'b', 'dir/', 'new']);
  const stored = await t.client.kvGet('secret', 'new');
  assert.equal(
    stored?.data?.data?.v,
    'LIST /v1/secret/metadata HTTP/1.1',
    'a body that looks like LIST is not rewritten',
  );
});

it('pipelined requests in one write, and LIST split across packets', async () => {
  const pipelined = [
    `GET /v1/secret/data/b HTTP/1.1\r\n${H}\r\n`,
    `LIST /v1/secret/metadata HTTP/1.1\r\n${H}Content-Length: 2\r\n\r\n{}`,
    post('/v1/secret/data/p', '{"data":{"x":1}}'),
    `LIST /v1/secret/metadata/dir HTTP/1.1\r\n${H}\r\n`,
  ].join('');
  const res = await exchange([pipelined, 'LI', `ST /v1/secret/metadata/dir HTTP/1.1\r\n${H}\r\n`], 5);
  assert.deepEqual(
    res.map((r) => r.status),
    [200, 200, 200, 200, 200],
  );
  assert.equal(JSON.parse(res[0]!.body).data.data.v, 'b');
  assert.ok(JSON.parse(res[1]!.body).data.keys.includes('dir/'));
  assert.deepEqual(JSON.parse(res[4]!.body).data.keys, ['c']);
});

it('LIST on a path that is not a folder is a 404', async () => {
  const res = await exchange([`LIST /v1/secret/metadata/a HTTP/1.1\r\n${H}\r\n`], 1);
  assert.equal(res[0]!.status, 404);
});
