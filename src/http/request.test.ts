import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Request } from '../sdk/request.ts';
import { type EchoServer, exchange, type RawResponse, rawRequest, startEchoServer } from './testing.ts';

/** The Request core received, as echoed back. */
const echoed = (r: RawResponse | undefined) => r?.json as Request;

describe('verbs, paths, query and headers → Request', () => {
  let server: EchoServer;
  let uiCalls: string[];
  before(async () => {
    uiCalls = [];
    server = await startEchoServer({
      ui: (req, res) => {
        uiCalls.push(`${req.method} ${req.url}`);
        if (!req.url?.startsWith('/ui')) return false;
        res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': '13' }).end('<html></html>');
        return true;
      },
    });
  });
  after(() => server.close());

  async function one(request: string, opts: { head?: boolean } = {}): Promise<RawResponse> {
    const { responses } = await exchange(server, [request], 1, opts.head ? { head: [0] } : {});
    assert.ok(responses[0], 'a response');
    return responses[0];
  }

  const verbs: Array<[string, string, string, string]> = [
    ['GET', '/v1/secret/data/a', 'read', 'secret/data/a'],
    ['GET', '/v1/secret/metadata/?list=true', 'list', 'secret/metadata'],
    ['GET', '/v1/secret/metadata?list=1', 'list', 'secret/metadata'],
    ['GET', '/v1/secret/data/a?list=false', 'read', 'secret/data/a'],
    ['LIST', '/v1/secret/metadata/', 'list', 'secret/metadata'],
    ['POST', '/v1/secret/data/a', 'update', 'secret/data/a'],
    ['PUT', '/v1/secret/data/a', 'update', 'secret/data/a'],
    ['PATCH', '/v1/secret/data/a', 'patch', 'secret/data/a'],
    ['DELETE', '/v1/secret/data/a', 'delete', 'secret/data/a'],
  ];
  for (const [method, path, operation, canonical] of verbs) {
    it(`${method} ${path} → ${operation} ${canonical}`, async () => {
      const res = await one(rawRequest(method, path));
      assert.equal(res.status, 200);
      assert.equal(echoed(res).operation, operation);
      assert.equal(echoed(res).path, canonical);
    });
  }

  it('HEAD only for sys/health: the GET answer without a body', async () => {
    const res = await one(rawRequest('HEAD', '/v1/sys/health'), { head: true });
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.ok(Number(res.headers['content-length']) > 0);
    const refused = await one(rawRequest('HEAD', '/v1/secret/data/a'), { head: true });
    assert.equal(refused.status, 405);
  });

  for (const method of ['OPTIONS', 'PROPFIND', 'MKCOL', 'TRACE', 'FOO']) {
    it(`${method} → 405 unsupported method`, async () => {
      const res = await one(rawRequest(method, '/v1/secret/data/a'));
      assert.equal(res.status, 405);
      assert.deepEqual(res.json, { errors: ['unsupported method'] });
      assert.equal(res.headers.allow, 'GET, HEAD, POST, PUT, PATCH, DELETE, LIST');
    });
  }

  it('an invalid list flag → 400', async () => {
    const res = await one(rawRequest('GET', '/v1/secret/metadata?list=maybe'));
    assert.equal(res.status, 400);
  });

  it('GET: the query is the data (repeated keys as arrays), without list and help', async () => {
    const res = await one(rawRequest('GET', '/v1/sys/x?a=1&b=2&b=3&list=false&help=0&c=x%2By+z'));
    assert.deepEqual(echoed(res).data, { a: '1', b: ['2', '3'], c: 'x+y z' });
    assert.equal(echoed(res).help, undefined);
  });

  it('?help=1 sets help, whatever the verb', async () => {
    for (const method of ['GET', 'POST', 'LIST', 'DELETE']) {
      const res = await one(rawRequest(method, '/v1/secret/data/a?help=1'));
      assert.equal(echoed(res).help, true, method);
    }
  });

  it('writes take the JSON body; an empty body is {}', async () => {
    const res = await one(
      rawRequest('POST', '/v1/secret/data/a', { body: '{"data":{"password":"s3cret"}}' }),
    );
    assert.deepEqual(echoed(res).data, { data: { password: 's3cret' } });
    const empty = await one(rawRequest('PUT', '/v1/secret/data/a'));
    assert.deepEqual(echoed(empty).data, {});
  });

  it('LIST and DELETE take the body, or the query when the body is empty', async () => {
    const withBody = await one(
      rawRequest('DELETE', '/v1/secret/data/a?versions=1', { body: '{"versions":[2]}' }),
    );
    assert.deepEqual(echoed(withBody).data, { versions: [2] });
    const withQuery = await one(rawRequest('DELETE', '/v1/secret/data/a?versions=1'));
    assert.deepEqual(echoed(withQuery).data, { versions: '1' });
    const list = await one(rawRequest('LIST', '/v1/secret/metadata?after=k'));
    assert.deepEqual(echoed(list).data, { after: 'k' });
  });

  it('content type: the lower-cased media type', async () => {
    const res = await one(
      rawRequest('PATCH', '/v1/secret/data/a', {
        headers: { 'Content-Type': 'Application/Merge-Patch+JSON; charset=utf-8' },
        body: '{"data":{}}',
      }),
    );
    assert.equal(echoed(res).contentType, 'application/merge-patch+json');
    const none = await one(rawRequest('GET', '/v1/a'));
    assert.equal(echoed(none).contentType, undefined);
  });

  it('token from X-Vault-Token, else Authorization: Bearer; neither ever in headers', async () => {
    const vault = await one(
      rawRequest('GET', '/v1/a', { headers: { 'X-Vault-Token': 'hvs.one', Authorization: 'Bearer other' } }),
    );
    assert.equal(echoed(vault).clientToken, 'hvs.one');
    const bearer = await one(rawRequest('GET', '/v1/a', { headers: { Authorization: 'Bearer hvs.two' } }));
    assert.equal(echoed(bearer).clientToken, 'hvs.two');
    const basic = await one(rawRequest('GET', '/v1/a', { headers: { Authorization: 'Basic eDp5' } }));
    assert.equal(echoed(basic).clientToken, '');
    const none = await one(rawRequest('GET', '/v1/a'));
    assert.equal(echoed(none).clientToken, '');
    for (const res of [vault, bearer, basic]) {
      const headers = echoed(res).headers;
      assert.equal(headers.authorization, undefined);
      assert.equal(headers['x-vault-token'], undefined);
    }
  });

  it('passes the other headers, lower-cased', async () => {
    const res = await one(
      rawRequest('GET', '/v1/a', {
        headers: {
          'X-Vault-Wrap-TTL': '60s',
          'X-Vault-Request': 'true',
          'X-Forwarded-For': '10.0.0.1',
          Cookie: 'session=abc',
        },
      }),
    );
    const headers = echoed(res).headers;
    assert.equal(headers['x-vault-wrap-ttl'], '60s');
    assert.equal(headers['x-vault-request'], 'true');
    assert.equal(headers['x-forwarded-for'], '10.0.0.1');
    assert.equal(headers.cookie, undefined);
  });

  it('id is a fresh UUID, remoteAddr the peer', async () => {
    const a = echoed(await one(rawRequest('GET', '/v1/a')));
    const b = echoed(await one(rawRequest('GET', '/v1/a')));
    assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a.id, b.id);
    assert.equal(a.remoteAddr, '127.0.0.1');
  });

  const paths: Array<[string, number, string?]> = [
    ['/v1/secret/data/app/', 200, 'secret/data/app'],
    ['/v1/secret/data/%252e', 200, 'secret/data/%2e'],
    ['/v1/secret/data/a%20b', 200, 'secret/data/a b'],
    ['/v1/secret/../sys/seal', 400],
    ['/v1/secret/%2e%2e/sys/seal', 400],
    ['/v1/secret/%2E%2e/sys/seal', 400],
    ['/v1/secret/./x', 400],
    ['/v1/secret//x', 400],
    ['/v1/secret/%00', 400],
    ['/v1/secret/a%5cb', 400],
    ['/v1/secret/%zz', 400],
    ['/v1/', 404],
    ['/v2/secret', 404],
    ['/', 404],
  ];
  for (const [path, status, canonical] of paths) {
    it(`path ${path} → ${status}`, async () => {
      const res = await one(rawRequest('GET', path));
      assert.equal(res.status, status);
      if (canonical !== undefined) assert.equal(echoed(res).path, canonical);
      if (status === 400) assert.deepEqual(res.json, { errors: ['invalid path'] });
      if (status === 404) assert.deepEqual(res.json, { errors: [] });
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['content-type'], 'application/json');
    });
  }

  it('paths outside /v1/ go to the ui hook first, with LIST as LIST', async () => {
    uiCalls.length = 0;
    const page = await one(rawRequest('GET', '/ui/secrets'));
    assert.equal(page.status, 200);
    assert.equal(page.body, '<html></html>');
    await one(rawRequest('LIST', '/ui/x'));
    assert.deepEqual(uiCalls, ['GET /ui/secrets', 'LIST /ui/x']);
    const missing = await one(rawRequest('GET', '/favicon.ico'));
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { errors: [] });
  });

  it('a missing Host on HTTP/1.1 → 400', async () => {
    const res = await one('GET /v1/a HTTP/1.1\r\n\r\n');
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, { errors: ['missing required Host header'] });
  });

  it('HTTP/1.0 works, and closes', async () => {
    const { responses, closed } = await exchange(server, ['GET /v1/a HTTP/1.0\r\n\r\n'], 1, {
      keepOpenMs: 200,
    });
    assert.equal(responses[0]?.status, 200);
    assert.equal(closed, true);
  });
});
