import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Coffer, CofferConnectionError } from './index.ts';

/** A self-signed certificate for 127.0.0.1 from the openssl CLI; undefined when it is missing. */
function selfSigned(dir: string): { key: string; cert: string; certFile: string } | undefined {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

const dir = mkdtempSync(join(tmpdir(), 'coffer-tls-'));
const pem = selfSigned(dir);
let server: Server;
let address = '';
const seenTokens: (string | undefined)[] = [];

before(async () => {
  if (!pem) return;
  server = createServer({ key: pem.key, cert: pem.cert }, (req, res) => {
    seenTokens.push(req.headers['x-vault-token'] as string | undefined);
    if (req.url === '/v1/sys/seal') {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ initialized: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an untrusted certificate is refused by default', {
  skip: !pem && 'openssl not available',
}, async () => {
  const c = new Coffer({ address });
  await assert.rejects(c.sys.initStatus(), CofferConnectionError);
});

test('tlsCaFile trusts the given CA', { skip: !pem && 'openssl not available' }, async () => {
  const c = new Coffer({ address, tlsCaFile: pem?.certFile, token: 't1' });
  assert.deepEqual(await c.sys.initStatus(), { initialized: true });
  await c.sys.seal();
  assert.deepEqual(seenTokens.slice(-2), ['t1', 't1']);
});

test('tlsSkipVerify accepts any certificate', { skip: !pem && 'openssl not available' }, async () => {
  const c = new Coffer({ address, tlsSkipVerify: true });
  assert.deepEqual(await c.sys.initStatus(), { initialized: true });
});
