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

  /** The character-by-character scan it replaced, as the reference. */
  function reference(text: string, max: number): boolean {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 0x5c) i++;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) {
        if (++depth > max) return false;
      } else if (c === 0x7d || c === 0x5d) depth--;
    }
    return true;
  }

  it('answers as the character-by-character scan on 20,000 random texts of quotes, backslashes and brackets', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ['"', '\\', '[', ']', '{', '}', 'a', ','];
    for (let t = 0; t < 20_000; t++) {
      let text = '';
      const len = rand(40);
      for (let i = 0; i < len; i++) text += alphabet[rand(alphabet.length)];
      const max = rand(4);
      assert.equal(jsonDepthWithin(text, max), reference(text, max), JSON.stringify([text, max]));
    }
  });
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

  it('refuses numbers it would change, without echoing them; keeps exact ones and floats', () => {
    // JSON.parse made 1e999 null and 12345678901234567890 …67000: a silent change of the data
    const inexact = [
      '{"n":12345678901234567890}',
      '{"a":{"b":[1,-9007199254740993]}}',
      '{"f":1e999}',
      '{"f":-1.5E+400}',
      `{"n":1${'0'.repeat(400)}}`,
    ];
    for (const text of inexact) {
      assert.throws(
        () => parseJSONBody(Buffer.from(text), 500),
        (err: unknown) =>
          err instanceof MalformedJSONError &&
          err.status === 400 &&
          /cannot be stored exactly; send it as a string/.test(err.message) &&
          !/1234|9007|999|400/.test(err.message),
        text,
      );
    }
    const exact: Array<[string, unknown]> = [
      ['{"n":9007199254740991}', { n: 9007199254740991 }],
      ['{"n":9007199254740992}', { n: 9007199254740992 }],
      ['{"d":0.1000000000000000055511151231257827}', { d: 0.1 }],
      ['{"e":1e300,"u":1e-400}', { e: 1e300, u: 0 }],
      [
        '{"s":"12345678901234567890 and 1e999 in a string"}',
        { s: '12345678901234567890 and 1e999 in a string' },
      ],
    ];
    for (const [text, want] of exact) assert.deepEqual(parseJSONBody(Buffer.from(text), 500), want, text);
  });

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
