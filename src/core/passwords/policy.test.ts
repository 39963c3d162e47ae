import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../sdk/errors.ts';
import { parsePasswordPolicy } from './policy.ts';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';

describe('parsePasswordPolicy: valid', () => {
  const cases: [string, string, { length: number; rules: [string, number][]; charset: string }][] = [
    [
      'one rule',
      `length = 20\nrule "charset" {\n  charset = "${LOWER}"\n  min-chars = 1\n}`,
      { length: 20, rules: [[LOWER, 1]], charset: LOWER },
    ],
    [
      'min-chars defaults to 0',
      'length = 4\nrule "charset" { charset = "ab" }',
      { length: 4, rules: [['ab', 0]], charset: 'ab' },
    ],
    [
      'several rules, union deduplicated',
      'length = 8\nrule "charset" {\n  charset = "abc"\n  min-chars = 2\n}\nrule "charset" {\n  charset = "cd01"\n  min-chars = 3\n}',
      {
        length: 8,
        rules: [
          ['abc', 2],
          ['cd01', 3],
        ],
        charset: 'abcd01',
      },
    ],
    [
      'duplicate characters inside a charset',
      'length = 5\nrule "charset" { charset = "aab" }',
      { length: 5, rules: [['ab', 0]], charset: 'ab' },
    ],
    [
      'sum of min-chars equal to the length',
      'length = 4\nrule "charset" {\n  charset = "a"\n  min-chars = 2\n}\nrule "charset" {\n  charset = "b"\n  min-chars = 2\n}',
      {
        length: 4,
        rules: [
          ['a', 2],
          ['b', 2],
        ],
        charset: 'ab',
      },
    ],
    [
      'length as a string',
      'length = "100"\nrule "charset" { charset = "x" }',
      { length: 100, rules: [['x', 0]], charset: 'x' },
    ],
    [
      'JSON form',
      '{"length": 12, "rule": {"charset": {"charset": "xyz", "min-chars": 1}}}',
      { length: 12, rules: [['xyz', 1]], charset: 'xyz' },
    ],
    [
      'unicode characters',
      'length = 6\nrule "charset" { charset = "äöü€" }',
      { length: 6, rules: [['äöü€', 0]], charset: 'äöü€' },
    ],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => {
      const p = parsePasswordPolicy(text);
      assert.equal(p.length, want.length);
      assert.deepEqual(
        p.rules.map((r) => [r.charset.join(''), r.minChars]),
        want.rules,
      );
      assert.equal(p.charset.join(''), want.charset);
    });
  }
});

describe('parsePasswordPolicy: invalid', () => {
  const cases: [string, string, RegExp][] = [
    ['syntax error', 'length = \n', /^unable to parse password policy: line \d+, column \d+: /],
    ['no length', 'rule "charset" { charset = "a" }', /"length" is required/],
    [
      'length too small',
      'length = 3\nrule "charset" { charset = "a" }',
      /line 1, column 10: "length" must be between 4 and 100/,
    ],
    ['length too large', 'length = 101\nrule "charset" { charset = "a" }', /between 4 and 100/],
    ['length negative', 'length = -5\nrule "charset" { charset = "a" }', /whole number/],
    ['length not a number', 'length = "twenty"\nrule "charset" { charset = "a" }', /whole number/],
    [
      'length twice',
      'length = 5\nlength = 6\nrule "charset" { charset = "a" }',
      /line 2, column 1: "length" is set twice/,
    ],
    ['no rule', 'length = 20', /at least one rule is required/],
    [
      'unknown rule type',
      'length = 20\nrule "symbols" { charset = "a" }',
      /line 2, column 1: unknown rule type "symbols"/,
    ],
    ['rule without label', 'length = 20\nrule { charset = "a" }', /exactly one label/],
    ['empty charset', 'length = 20\nrule "charset" { charset = "" }', /"charset" must not be empty/],
    ['missing charset', 'length = 20\nrule "charset" { min-chars = 1 }', /"charset" is required/],
    ['charset not a string', 'length = 20\nrule "charset" { charset = 5 }', /"charset" must be a string/],
    [
      'min-chars negative',
      'length = 20\nrule "charset" {\n charset = "a"\n min-chars = -1\n}',
      /line 4, column \d+: .*whole number/,
    ],
    [
      'unknown key in rule',
      'length = 20\nrule "charset" {\n charset = "a"\n min_chars = 1\n}',
      /line 4, column 2: rule "charset": unknown key "min_chars" \(did you mean "min-chars"\?\)/,
    ],
    [
      'unknown top-level key',
      'lenght = 20\nrule "charset" { charset = "a" }',
      /unknown key "lenght" \(did you mean "length"\?\)/,
    ],
    [
      'min-chars add up to more than the length',
      'length = 4\nrule "charset" {\n  charset = "a"\n  min-chars = 3\n}\nrule "charset" {\n  charset = "b"\n  min-chars = 2\n}',
      /add up to 5, more than the length 4/,
    ],
    ['JSON not an object', '[1]', /JSON policy must be an object/],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      assert.throws(
        () => parsePasswordPolicy(text),
        (err: unknown) => {
          assert.ok(err instanceof BadRequestError, String(err));
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});
