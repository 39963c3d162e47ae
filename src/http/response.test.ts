import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
  SealedError,
  StorageError,
} from '../sdk/errors.ts';
import type { Response } from '../sdk/request.ts';
import { type EchoServer, exchange, type RawResponse, rawRequest, startEchoServer } from './testing.ts';

/** Core answers by path: each test picks its answer. */
const answers: Record<string, () => Promise<Response>> = {
  data: async () => ({ data: { password: 'p' } }),
  warnings: async () => ({ warnings: ['careful'] }),
  'data-status': async () => ({ data: { a: 1 }, status: 202 }),
  raw: async () => ({ raw: { initialized: true, sealed: false }, status: 429 }),
  'raw-null': async () => ({ raw: null }),
  nothing: async () => ({}),
  headers: async () => ({ data: {}, headers: { 'X-Coffer-Thing': 'yes', 'Content-Type': 'text/plain' } }),
  'bad-header': async () => ({ data: {}, headers: { 'X-Bad': 'a\r\nb' } }),
  envelope: async () =>
    ({
      data: { username: 'u' },
      envelope: { lease_id: 'database/creds/ro/abc', renewable: true, lease_duration: 3600 },
    }) as Response,
  sealed: async () => {
    throw new SealedError();
  },
  missing: async () => {
    throw new NotFoundError();
  },
  denied: async () => {
    throw new PermissionDeniedError();
  },
  cas: async () => {
    throw new PreconditionFailedError('check-and-set parameter did not match the current version');
  },
  crash: async () => {
    throw new Error('connection to db failed: password=hunter2');
  },
  storage: async () => {
    throw new StorageError('disk on fire', { details: { path: 'logical/abc' } });
  },
  'throws-string': async () => {
    throw 'just a string';
  },
};

describe('responses and errors', () => {
  let server: EchoServer;
  const seen: RawResponse[] = [];
  before(async () => {
    server = await startEchoServer({
      handle: (req) => {
        const answer = answers[req.path.replace(/^t\//, '')];
        return answer ? answer() : Promise.resolve({ raw: req });
      },
    });
  });
  after(async () => {
    await server.close();
    // Every response of this suite carried the two headers.
    assert.ok(seen.length > 10);
    for (const res of seen) {
      assert.equal(res.headers['cache-control'], 'no-store', `${res.status} ${res.body}`);
      if (res.headers['x-coffer-thing'] === undefined) {
        assert.equal(res.headers['content-type'], 'application/json', `${res.status} ${res.body}`);
      }
    }
  });

  async function get(name: string): Promise<RawResponse> {
    const { responses } = await exchange(server, [rawRequest('GET', `/v1/t/${name}`)], 1);
    assert.ok(responses[0]);
    seen.push(responses[0]);
    return responses[0];
  }

  it('data → the Vault envelope with request_id', async () => {
    const res = await get('data');
    assert.equal(res.status, 200);
    const body = res.json as Record<string, unknown>;
    assert.match(String(body.request_id), /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { ...body, request_id: 'x' },
      {
        request_id: 'x',
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: { password: 'p' },
        wrap_info: null,
        warnings: null,
        auth: null,
        mount_type: '',
      },
    );
    assert.equal(server.requests.at(-1)?.id, body.request_id);
  });

  it('warnings alone → the envelope with data null', async () => {
    const res = await get('warnings');
    assert.equal(res.status, 200);
    assert.deepEqual((res.json as Record<string, unknown>).warnings, ['careful']);
    assert.equal((res.json as Record<string, unknown>).data, null);
  });

  it('lease fields from Response.envelope', async () => {
    const body = (await get('envelope')).json as Record<string, unknown>;
    assert.equal(body.lease_id, 'database/creds/ro/abc');
    assert.equal(body.renewable, true);
    assert.equal(body.lease_duration, 3600);
  });

  it('status overrides; raw is sent bare', async () => {
    assert.equal((await get('data-status')).status, 202);
    const raw = await get('raw');
    assert.equal(raw.status, 429);
    assert.deepEqual(raw.json, { initialized: true, sealed: false });
    assert.equal((await get('raw-null')).body, 'null');
  });

  it('nothing → 204 without a body', async () => {
    const res = await get('nothing');
    assert.equal(res.status, 204);
    assert.equal(res.body, '');
  });

  it('Response.headers are merged in', async () => {
    const res = await get('headers');
    assert.equal(res.headers['x-coffer-thing'], 'yes');
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('a header value core should not have set → 500, not a crash', async () => {
    const res = await get('bad-header');
    assert.equal(res.status, 500);
    assert.deepEqual(res.json, { errors: ['internal error'] });
  });

  const errors: Array<[string, number, string[]]> = [
    ['sealed', 503, ['Coffer is sealed']],
    ['missing', 404, []],
    ['denied', 403, ['permission denied']],
    ['cas', 400, ['check-and-set parameter did not match the current version']],
    ['crash', 500, ['internal error']],
    ['storage', 500, ['internal error']],
    ['throws-string', 500, ['internal error']],
  ];
  for (const [name, status, messages] of errors) {
    it(`${name} → ${status} ${JSON.stringify(messages)}`, async () => {
      const res = await get(name);
      assert.equal(res.status, status);
      assert.deepEqual(res.json, { errors: messages });
    });
  }

  it('a 500 logs the real error with the request id; the client never sees it', async () => {
    server.logs.length = 0;
    const res = await get('crash');
    assert.ok(!res.body.includes('hunter2'));
    const id = server.requests.at(-1)?.id;
    const line = server.logs.find((l) => l.level === 'error');
    assert.ok(line, 'an error was logged');
    assert.equal(line.request_id, id);
    const error = line.error as Record<string, unknown>;
    assert.equal(error.name, 'InternalError');
    assert.equal(error.code, 'internal');
    assert.match(String(error.message), /connection to db failed/);
  });

  it('a 500 logs the details of a catalog error', async () => {
    server.logs.length = 0;
    await get('storage');
    const line = server.logs.find((l) => l.level === 'error');
    const error = line?.error as Record<string, unknown>;
    assert.equal(error.name, 'StorageError');
    assert.equal(error.message, 'disk on fire');
    assert.deepEqual(error.details, { path: 'logical/abc' });
  });

  it('503 and 4xx are not logged as errors', async () => {
    server.logs.length = 0;
    await get('sealed');
    await get('denied');
    assert.equal(server.logs.filter((l) => l.level === 'error').length, 0);
  });

  it('never logs tokens, bodies or credential headers', async () => {
    server.logs.length = 0;
    const request = rawRequest('POST', '/v1/t/crash', {
      headers: { 'X-Vault-Token': 'hvs.TOPSECRETTOKEN', Authorization: 'Bearer hvs.OTHERTOKEN' },
      body: '{"password":"BODYSECRET"}',
    });
    await exchange(server, [request], 1);
    const text = JSON.stringify(server.logs);
    assert.ok(server.logs.length > 0);
    for (const secret of ['TOPSECRETTOKEN', 'OTHERTOKEN', 'BODYSECRET'])
      assert.ok(!text.includes(secret), secret);
  });
});
