import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../sdk/errors.ts';
import type { Response } from '../../sdk/request.ts';
import { FAKE_START, fakeWrapping } from './testing.ts';
import {
  isWrapped,
  lookupWrapping,
  markMustWrap,
  mustWrap,
  rewrap,
  storedToResponse,
  unwrap,
  type WrapInfo,
  wrapResponse,
} from './wrap.ts';

const secret: Response = {
  data: { password: 's3cr3t' },
  warnings: ['w'],
  envelope: { lease_id: 'db/creds/ro/abc', renewable: true, lease_duration: 3600, mount_type: 'database' },
};
const opts = { ttl: 300, creationPath: 'db/creds/ro', requestId: 'req-1' };
const infoOf = (res: Response) => res.envelope?.wrap_info as WrapInfo;
const invalid = (e: unknown) =>
  e instanceof BadRequestError && e.message === 'wrapping token is not valid or does not exist';

describe('wrapResponse', () => {
  it('answers with wrap_info only and stores the whole response in the token cubbyhole', async () => {
    const w = fakeWrapping();
    const res = await wrapResponse(w.deps, secret, opts);
    assert.equal(res.data, undefined);
    assert.equal(res.status, 200);
    const info = infoOf(res);
    assert.match(info.token, /^hvs\./);
    assert.deepEqual(
      { ...info, token: 'T', accessor: 'A' },
      {
        token: 'T',
        accessor: 'A',
        ttl: 300,
        creation_time: new Date(FAKE_START).toISOString(),
        creation_path: 'db/creds/ro',
      },
    );
    assert.equal(JSON.stringify(res).includes('s3cr3t'), false);
    const stored = await unwrap(w.deps, info.token);
    assert.deepEqual(stored, {
      request_id: 'req-1',
      lease_id: 'db/creds/ro/abc',
      renewable: true,
      lease_duration: 3600,
      data: { password: 's3cr3t' },
      wrap_info: null,
      warnings: ['w'],
      auth: null,
      mount_type: 'database',
    });
  });

  it('never puts the token or the secret in a storage key', async () => {
    const w = fakeWrapping();
    const info = infoOf(await wrapResponse(w.deps, secret, opts));
    const keys = await w.deps.cubbyhole.listAll();
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, /^[0-9a-f]{64}\/response$/);
    assert.equal(keys[0]!.includes(info.token), false);
  });

  it('sets wrapped_accessor from the auth block, or as given', async () => {
    const w = fakeWrapping();
    const login: Response = { envelope: { auth: { client_token: 'hvs.child', accessor: 'acc-child' } } };
    assert.equal(infoOf(await wrapResponse(w.deps, login, opts)).wrapped_accessor, 'acc-child');
    const other = await wrapResponse(
      w.deps,
      { data: { secret_id: 'x' } },
      { ...opts, wrappedAccessor: 'sid-acc' },
    );
    assert.equal(infoOf(other).wrapped_accessor, 'sid-acc');
    assert.equal('wrapped_accessor' in infoOf(await wrapResponse(w.deps, secret, opts)), false);
  });

  it('leaves empty and already-wrapped responses alone, refuses raw ones and bad TTLs', async () => {
    const w = fakeWrapping();
    const empty: Response = {};
    assert.equal(await wrapResponse(w.deps, empty, opts), empty);
    const wrapped = await wrapResponse(w.deps, secret, opts);
    assert.equal(await wrapResponse(w.deps, wrapped, opts), wrapped);
    assert.equal(isWrapped(wrapped), true);
    assert.equal(isWrapped(secret), false);
    await assert.rejects(wrapResponse(w.deps, { raw: { ok: true } }, opts), BadRequestError);
    await assert.rejects(wrapResponse(w.deps, secret, { ...opts, ttl: 0 }), BadRequestError);
    assert.equal(w.liveTokens(), 1);
  });

  it('revokes the new token when the response cannot be stored', async () => {
    const w = fakeWrapping();
    w.failWrites.value = true;
    await assert.rejects(wrapResponse(w.deps, secret, opts), /storage write failed/);
    assert.equal(w.liveTokens(), 0);
  });

  it('MUST_WRAP marks a response without showing up in JSON', () => {
    const res = markMustWrap({ data: { a: 1 } });
    assert.equal(mustWrap(res), true);
    assert.equal(mustWrap({ data: { a: 1 } }), false);
    assert.equal(JSON.stringify(res), '{"data":{"a":1}}');
  });
});

describe('unwrap', () => {
  it('hands the response over exactly once, then the token and its cubbyhole are gone', async () => {
    const w = fakeWrapping();
    const info = infoOf(await wrapResponse(w.deps, secret, opts));
    assert.deepEqual((await unwrap(w.deps, info.token)).data, { password: 's3cr3t' });
    await assert.rejects(unwrap(w.deps, info.token), invalid);
    assert.deepEqual(await w.inmem.list(''), []);
    assert.equal(w.liveTokens(), 0);
  });

  it('20 concurrent unwraps: exactly one gets the response, 19 get the 400', async () => {
    for (let round = 0; round < 5; round++) {
      const w = fakeWrapping({ jitter: true });
      const info = infoOf(await wrapResponse(w.deps, secret, opts));
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => unwrap(w.deps, info.token)));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      assert.equal(won.length, 1, `round ${round}`);
      assert.deepEqual(won[0]!.value.data, { password: 's3cr3t' });
      assert.equal(lost.length, 19);
      for (const r of lost) assert.ok(invalid(r.reason), String(r.reason));
      assert.deepEqual(await w.inmem.list(''), []);
    }
  });

  it('refuses expired, unknown, empty and non-wrapping tokens', async () => {
    const w = fakeWrapping();
    const info = infoOf(await wrapResponse(w.deps, secret, opts));
    w.clock.advance(300);
    await assert.rejects(unwrap(w.deps, info.token), invalid);
    await assert.rejects(unwrap(w.deps, 'hvs.nope'), invalid);
    await assert.rejects(unwrap(w.deps, w.addPlainToken()), invalid);
    await assert.rejects(unwrap(w.deps, ''), /missing "token"/);
  });

  it('storedToResponse gives back data, warnings, lease and auth for the envelope', () => {
    const res = storedToResponse({
      request_id: 'r',
      lease_id: 'l',
      renewable: true,
      lease_duration: 60,
      data: { a: 1 },
      wrap_info: null,
      warnings: ['w'],
      auth: { client_token: 't' },
      mount_type: 'kv',
    });
    assert.deepEqual(res, {
      data: { a: 1 },
      warnings: ['w'],
      envelope: {
        lease_id: 'l',
        renewable: true,
        lease_duration: 60,
        auth: { client_token: 't' },
        mount_type: 'kv',
      },
    });
    const bare = storedToResponse({
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      wrap_info: null,
      warnings: null,
      auth: null,
    });
    assert.deepEqual(bare, {});
  });
});

describe('lookup', () => {
  it('shows creation path, time and TTL without using the token', async () => {
    const w = fakeWrapping();
    const info = infoOf(await wrapResponse(w.deps, secret, opts));
    w.clock.advance(10);
    const want = {
      creation_path: 'db/creds/ro',
      creation_time: new Date(FAKE_START).toISOString(),
      creation_ttl: 300,
    };
    assert.deepEqual(await lookupWrapping(w.deps, info.token), want);
    assert.deepEqual(await lookupWrapping(w.deps, info.token), want);
    assert.deepEqual((await unwrap(w.deps, info.token)).data, { password: 's3cr3t' });
    await assert.rejects(lookupWrapping(w.deps, info.token), invalid);
    await assert.rejects(lookupWrapping(w.deps, w.addPlainToken()), invalid);
  });
});

describe('rewrap', () => {
  it('moves the response to a new token with the same TTL and path; the old one is consumed', async () => {
    const w = fakeWrapping();
    const old = infoOf(await wrapResponse(w.deps, secret, opts));
    w.clock.advance(100);
    const fresh = infoOf(await rewrap(w.deps, old.token));
    assert.notEqual(fresh.token, old.token);
    assert.equal(fresh.ttl, 300);
    assert.equal(fresh.creation_path, 'db/creds/ro');
    assert.equal(fresh.creation_time, new Date(FAKE_START + 100_000).toISOString());
    await assert.rejects(unwrap(w.deps, old.token), invalid);
    await assert.rejects(rewrap(w.deps, old.token), invalid);
    const stored = await unwrap(w.deps, fresh.token);
    assert.deepEqual(stored.data, { password: 's3cr3t' });
    assert.equal(stored.request_id, 'req-1');
    assert.equal(w.liveTokens(), 0);
  });

  it('races with unwraps: exactly one caller wins, no token is left behind', async () => {
    for (let round = 0; round < 5; round++) {
      const w = fakeWrapping({ jitter: true });
      const old = infoOf(await wrapResponse(w.deps, secret, opts));
      const calls = Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? rewrap(w.deps, old.token) : unwrap(w.deps, old.token),
      );
      const results = await Promise.allSettled<unknown>(calls);
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1, `round ${round}`);
      for (const r of results) if (r.status === 'rejected') assert.ok(invalid(r.reason), String(r.reason));
      const winner = (won[0] as PromiseFulfilledResult<unknown>).value as Response;
      if (isWrapped(winner)) {
        assert.equal(w.liveTokens(), 1);
        assert.equal((await unwrap(w.deps, infoOf(winner).token)).data?.password, 's3cr3t');
      }
      assert.equal(w.liveTokens(), 0);
      assert.deepEqual(await w.inmem.list(''), []);
    }
  });
});
