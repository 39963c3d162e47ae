import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedJSONError } from '../sdk/errors.ts';
import { jsonDepthWithin, parseJSONBody } from './body.ts';

describe('jsonDepthWithin', () => {
  const cases: Array<[string, number, boolean]> = [
    ['{}', 1, true],
    ['{"a":{}}', 1, false],
    ['[[1]]', 2, true],
    ['[[[1]]]', 2, false],
    ['{"a":"[[[[[[[["}', 1, true], // brackets in strings do not count
    ['{"a":"\\"[[[["}', 1, true], // nor after an escaped quote
    ['{"a":"\\\\"}', 1, true], // an escaped backslash ends before the quote
    ['{"a":"\\\\",[[', 1, false],
    ['[{},{},{}]', 2, true],
  ];
  for (const [text, max, within] of cases) {
    it(`${text} within ${max}: ${within}`, () => assert.equal(jsonDepthWithin(text, max), within));
  }
});

describe('parseJSONBody', () => {
  it('empty and whitespace-only bodies are {}', () => {
    assert.deepEqual(parseJSONBody(Buffer.from(''), 500), {});
    assert.deepEqual(parseJSONBody(Buffer.from(' \n'), 500), {});
  });

  it('parses an object', () => {
    assert.deepEqual(parseJSONBody(Buffer.from('{"a":[1,{"b":null}]}'), 500), { a: [1, { b: null }] });
  });

  const refused: Array<[string, string | Buffer]> = [
    ['malformed', '{"a":'],
    ['an array', '[1,2]'],
    ['a string', '"x"'],
    ['a number', '1'],
    ['null', 'null'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
  ];
  for (const [name, body] of refused) {
    it(`refuses ${name} with MalformedJSONError (400)`, () => {
      assert.throws(
        () => parseJSONBody(Buffer.isBuffer(body) ? body : Buffer.from(body), 500),
        (err: unknown) => err instanceof MalformedJSONError && err.status === 400,
      );
    });
  }

  it('refuses nesting 100,000 deep fast, without a stack overflow', () => {
    const deep = Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const started = performance.now();
    assert.throws(() => parseJSONBody(deep, 500), MalformedJSONError);
    assert.ok(performance.now() - started < 200);
  });

  it('accepts nesting exactly at the limit', () => {
    const text = `${'{"a":'.repeat(499)}{}${'}'.repeat(499)}`;
    assert.doesNotThrow(() => parseJSONBody(Buffer.from(text), 500));
    assert.throws(() => parseJSONBody(Buffer.from(`{"x":${text}}`), 500), MalformedJSONError);
  });
});
