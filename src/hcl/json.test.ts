import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HclParseError, type JsonLike, parseJSON, toJSONLike } from './index.ts';

const valid: Array<[string, JsonLike]> = [
  ['{}', {}],
  ['  {"a": 1}\n', { a: 1 }],
  ['\ufeff[]', []],
  ['{"a": [1, -2.5, 3e2, true, false, null, "x"]}', { a: [1, -2.5, 300, true, false, null, 'x'] }],
  [String.raw`"\"\\\/\b\f\n\r\t\u00e9"`, '"\\/\b\f\n\r\té'],
  [
    '{"listener": [{"tcp": {"address": "127.0.0.1:8200"}}]}',
    { listener: [{ tcp: { address: '127.0.0.1:8200' } }] },
  ],
  ['{"__proto__": {"x": 1}}', { ['__proto__']: { x: 1 } }],
  ['0', 0],
];

const invalid: Array<[string, string]> = [
  ['', 'line 1, column 1: expected a JSON value, found end of input'],
  ['{"a": }', "line 1, column 7: expected a JSON value, found '}'"],
  ['{\n  "a": 1,\n}', "line 3, column 1: expected a key (JSON allows no trailing comma), found '}'"],
  ['[1, 2,]', "line 1, column 7: expected a value (JSON allows no trailing comma), found ']'"],
  ['{"a" 1}', `line 1, column 6: expected ':' after key "a", found '1'`],
  ['{a: 1}', "line 1, column 2: expected a double-quoted key, found 'a'"],
  ['{"a": 1 "b": 2}', "line 1, column 9: expected ',' or '}' in object, found '\"'"],
  ['[1 2]', "line 1, column 4: expected ',' or ']' in array, found '2'"],
  ['{"a": 1}}', "line 1, column 9: unexpected '}' after the JSON value"],
  ['{"a": 1, "a": 2}', 'line 1, column 10: duplicate key "a" in object'],
  ['"abc', `line 1, column 1: unterminated string: missing '"'`],
  ['"a\nb"', 'line 1, column 3: control character in string (escape it, as in \\n)'],
  [String.raw`"\x"`, 'line 1, column 2: invalid escape sequence'],
  [String.raw`"\u12"`, "line 1, column 2: invalid escape sequence: '\\u' needs 4 hex digits"],
  ['01', "line 1, column 2: unexpected '1' after the JSON value"],
  ['1e400', 'line 1, column 1: number out of range'],
  ["{'a': 1}", "line 1, column 2: expected a double-quoted key, found '''"],
  [`{"pw": "hunter2" x}`, "line 1, column 18: expected ',' or '}' in object, found 'x'"],
];

describe('parseJSON', () => {
  for (const [input, want] of valid) {
    it(`parses ${JSON.stringify(input)}`, () => assert.deepEqual(toJSONLike(parseJSON(input)), want));
  }
  for (const [input, message] of invalid) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseJSON(input),
        (err: unknown) => err instanceof HclParseError && err.message === message,
        `wanted ${message}`,
      );
    });
  }

  it('keeps positions of keys and values', () => {
    const v = parseJSON('{\n  "a": {\n    "b": true\n  }\n}');
    assert.ok(v.kind === 'object');
    const a = v.items[0]!;
    assert.deepEqual(a.pos, { line: 2, column: 3 });
    assert.ok(a.value.kind === 'object');
    assert.deepEqual(a.value.items[0]?.pos, { line: 3, column: 5 });
    assert.deepEqual(a.value.items[0]?.value.pos, { line: 3, column: 10 });
  });

  it('refuses deep nesting without overflowing the stack', () => {
    assert.throws(() => parseJSON('['.repeat(10_000)), /nesting is deeper than 100 levels/);
    assert.throws(() => parseJSON('{"a":'.repeat(10_000)), /nesting is deeper than 100 levels/);
  });

  it('never quotes the input in a message', () => {
    assert.throws(
      () => parseJSON('{"password": "hunter2" }x'),
      (err: Error) => !err.message.includes('hunter2'),
    );
  });
});
