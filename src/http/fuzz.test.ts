import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Request } from '../sdk/request.ts';
import { chunked, type EchoServer, exchange, rawRequest, startEchoServer } from './testing.ts';

/** A small deterministic PRNG, so a failure can be replayed. */
function prng(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
}

describe('mutated request streams', () => {
  let server: EchoServer;
  before(async () => {
    server = await startEchoServer({ maxRequestSize: 2048, timeouts: { headers: 300, request: 800 } });
  });
  after(() => server.close());

  it('never crash the server, never rewrite a body, never turn a LOCK into a LIST', async () => {
    const stream = [
      rawRequest('LIST', '/v1/a/'),
      rawRequest('POST', '/v1/b', { body: '{"a":"LIST /v1/x"}' }),
      rawRequest('LIST', '/v1/c', {
        headers: { 'Transfer-Encoding': 'chunked' },
        body: chunked('{"x":', '1}'),
      }),
      rawRequest('LOCK', '/v1/d'),
      rawRequest('GET', '/v1/e?list=true'),
    ].join('');
    const rnd = prng(20261125);
    for (let round = 0; round < 400; round++) {
      const bytes = Buffer.from(stream);
      for (let m = 1 + rnd(4); m > 0; m--) {
        const at = rnd(bytes.length);
        bytes[at] = rnd(2) === 0 ? rnd(256) : (Buffer.from('\r\n :0L')[rnd(6)] ?? 0);
      }
      const cut = rnd(bytes.length);
      const steps = [bytes.subarray(0, cut), { wait: rnd(3) }, bytes.subarray(cut)];
      const { responses } = await exchange(server, steps, 5, { timeoutMs: 1500 });
      for (const res of responses) {
        assert.ok([200, 400, 404, 405, 408, 413, 431].includes(res.status), `${res.status} ${res.body}`);
        assert.ok(!res.body.includes('LOCK'), `a body was rewritten: ${bytes.toString('latin1')}`);
        const req = res.json as Request | undefined;
        assert.ok(
          !(req?.operation === 'list' && req.path === 'd'),
          `LOCK became LIST: ${bytes.toString('latin1')}`,
        );
      }
    }
    const { responses } = await exchange(server, [rawRequest('LIST', '/v1/alive/')], 1);
    assert.equal(responses[0]?.status, 200);
  });
});
