import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestFramer } from './framer.ts';
import { chunked, rawRequest } from './testing.ts';

/** Feeds `input` split at the given offsets; returns the output and the framer. */
function run(input: string, cuts: number[] = []): { out: string; framer: RequestFramer } {
  const framer = new RequestFramer();
  const bytes = Buffer.from(input, 'latin1');
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    parts.push(...framer.feed(bytes.subarray(from, cut)));
    from = cut;
  }
  parts.push(...framer.flush());
  return { out: Buffer.concat(parts).toString('latin1'), framer };
}

/** Every way to cut `input` in two, plus byte-by-byte. */
function everySplit(input: string): number[][] {
  const cuts: number[][] = [[]];
  for (let i = 1; i < input.length; i++) cuts.push([i]);
  cuts.push(Array.from({ length: input.length - 1 }, (_, i) => i + 1));
  return cuts;
}

const list = rawRequest('LIST', '/v1/secret/metadata/');
const get = rawRequest('GET', '/v1/secret/data/a');
const postWithList = rawRequest('POST', '/v1/x', { body: 'LIST /v1/not-a-request HTTP/1.1\r\n\r\n' });
const chunkedWithList = rawRequest('POST', '/v1/x', {
  headers: { 'Transfer-Encoding': 'chunked' },
  body: chunked('LIST /v1/', 'nope HTTP/1.1\r\n\r\n'),
});
const listWithBody = rawRequest('LIST', '/v1/y', { body: '{"LIST ":1}' });
const lock = rawRequest('LOCK', '/v1/z');

describe('RequestFramer', () => {
  it('rewrites a leading LIST into LOCK and records it', () => {
    const { out, framer } = run(list);
    assert.equal(out, list.replace(/^LIST/, 'LOCK'));
    assert.deepEqual(framer.pending, [true]);
  });

  it('leaves other methods alone and passes body chunks through as the same Buffer', () => {
    const framer = new RequestFramer();
    const head = Buffer.from('PUT /v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n');
    assert.equal(Buffer.concat(framer.feed(head)).toString(), head.toString());
    const body = Buffer.from('LIST 56789');
    const out = framer.feed(body);
    assert.equal(out.length, 1);
    assert.equal(out[0], body);
    assert.deepEqual(framer.pending, []);
  });

  it('never rewrites inside a Content-Length or chunked body, at any split', () => {
    const stream = list + postWithList + chunkedWithList + listWithBody + get + lock + list;
    const expected =
      list.replace(/^LIST/, 'LOCK') +
      postWithList +
      chunkedWithList +
      listWithBody.replace(/^LIST/, 'LOCK') +
      get +
      lock +
      list.replace(/^LIST/, 'LOCK');
    for (const cuts of everySplit(stream)) {
      const { out, framer } = run(stream, cuts);
      assert.equal(out, expected, `cuts ${cuts.join(',')}`);
      assert.deepEqual(framer.pending, [true, true, false, true], `cuts ${cuts.join(',')}`);
      assert.equal(framer.poisoned, undefined);
    }
  });

  it('splits of LIST itself across feeds', () => {
    for (const cuts of everySplit('LIST /v1/a HTTP/1.1\r\nHost: x\r\n\r\n')) {
      const { out, framer } = run('LIST /v1/a HTTP/1.1\r\nHost: x\r\n\r\n', cuts);
      assert.equal(out, 'LOCK /v1/a HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.deepEqual(framer.pending, [true]);
    }
  });

  it('skips empty lines before a request, as llhttp does', () => {
    const { out, framer } = run(`\r\n\r\n${list}`);
    assert.equal(out, `\r\n\r\n${list.replace(/^LIST/, 'LOCK')}`);
    assert.deepEqual(framer.pending, [true]);
  });

  it('follows chunk extensions and trailers', () => {
    const body = '3;name="v"\r\nabc\r\n0\r\nX-Trailer: LIST \r\n\r\n';
    const req = rawRequest('POST', '/v1/x', { headers: { 'Transfer-Encoding': 'gzip, chunked' }, body });
    const { out, framer } = run(req + list);
    assert.equal(out, req + list.replace(/^LIST/, 'LOCK'));
    assert.deepEqual(framer.pending, [true]);
  });

  it('does not touch methods that merely start like LIST or LOCK', () => {
    const input = 'LISTEN / HTTP/1.1\r\n\r\nLOCKS / HTTP/1.1\r\n\r\nLIS';
    const { out, framer } = run(input);
    assert.equal(out, input);
    assert.deepEqual(framer.pending, []);
  });

  const poisoning: Array<[string, string]> = [
    ['Content-Length and Transfer-Encoding', 'Content-Length: 3\r\nTransfer-Encoding: chunked'],
    ['two Content-Length', 'Content-Length: 3\r\nContent-Length: 3'],
    ['a non-numeric Content-Length', 'Content-Length: 3x'],
    ['a Transfer-Encoding not ending in chunked', 'Transfer-Encoding: chunked, gzip'],
    ['a folded header', 'X-A: a\r\n b'],
  ];
  for (const [name, headers] of poisoning) {
    it(`stops rewriting (poisoned) on ${name}`, () => {
      const { out, framer } = run(`POST /v1/x HTTP/1.1\r\n${headers}\r\n\r\nabc${list}`);
      assert.ok(framer.poisoned);
      assert.ok(out.endsWith(list), 'LIST passed through untouched');
      assert.deepEqual(framer.pending, []);
    });
  }

  it('poisons on an invalid chunk size and on junk after chunk data', () => {
    for (const body of ['zz\r\nabc\r\n0\r\n\r\n', '3\r\nabcX\r\n0\r\n\r\n']) {
      const req = rawRequest('POST', '/v1/x', { headers: { 'Transfer-Encoding': 'chunked' }, body });
      const { framer } = run(req + list);
      assert.ok(framer.poisoned, body);
      assert.deepEqual(framer.pending, []);
    }
  });

  it('poisons on an overlong line instead of buffering it', () => {
    const framer = new RequestFramer({ maxLine: 100 });
    framer.feed(Buffer.from(`GET / HTTP/1.1\r\nX: ${'a'.repeat(200)}`));
    assert.ok(framer.poisoned);
  });

  it('bounds the records kept for pipelined LIST/LOCK requests', () => {
    const framer = new RequestFramer({ maxPending: 3 });
    framer.feed(Buffer.from(list.repeat(5)));
    assert.equal(framer.pending.length, 3);
    assert.ok(framer.poisoned);
  });

  it('takeLock: rewritten → list, genuine or unknown → lock', () => {
    const { framer } = run(list + lock);
    assert.equal(framer.takeLock(), 'list');
    assert.equal(framer.takeLock(), 'lock');
    assert.equal(framer.takeLock(), 'lock');
  });
});
