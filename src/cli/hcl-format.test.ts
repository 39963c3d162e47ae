import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HclParseError } from '../hcl/index.ts';
import { formatHcl, scanComments } from './hcl-format.ts';

const cases: [string, string, string][] = [
  ['empty file', '', ''],
  ['attribute spacing', 'name="x"', 'name = "x"\n'],
  [
    'bare labels are quoted',
    'path secret { capabilities=["deny"] }',
    'path "secret" {\n  capabilities = ["deny"]\n}\n',
  ],
  [
    'aligned = in a run of attributes, one blank line between blocks',
    'path "a" {\ncapabilities=["read"]\nmin_wrapping_ttl="1s"\n}\n\n\n\npath "b" {}\n',
    'path "a" {\n  capabilities     = ["read"]\n  min_wrapping_ttl = "1s"\n}\n\npath "b" {}\n',
  ],
  [
    'objects on several lines, keys quoted when they must be',
    'x = { a = 1, "b c" = true, d = null }',
    'x = {\n  a     = 1\n  "b c" = true\n  d     = null\n}\n',
  ],
  ['escapes', 'x = "a\\"b\\\\c\\nd"', 'x = "a\\"b\\\\c\\nd"\n'],
  ['heredoc becomes a string', 'x = <<EOT\nline # not a comment\nEOT\n', 'x = "line # not a comment\\n"\n'],
  ['# inside a string is not a comment', 'x = "a # b" // real\n', 'x = "a # b" // real\n'],
  ['block comment kept', '/* head */\nx = 1\n', '/* head */\nx = 1\n'],
];

for (const [name, input, expected] of cases) {
  test(`formatHcl: ${name}`, () => {
    assert.equal(formatHcl(input), expected);
    assert.equal(formatHcl(expected), expected, 'formatting is idempotent');
  });
}

test('scanComments: lines and trailing marks, skipping strings and heredocs', () => {
  const text = '# one\nx = "#no"  # two\ny = <<EOT\n# no\nEOT\n/* three\n */ z = 1\n';
  assert.deepEqual(scanComments(text), [
    { line: 1, text: '# one', trailing: false },
    { line: 2, text: '# two', trailing: true },
    { line: 6, text: '/* three\n */', trailing: false },
  ]);
});

test('formatHcl throws HclParseError with line and column', () => {
  assert.throws(
    () => formatHcl('path "a" {\n  x = \n}'),
    (e: unknown) => e instanceof HclParseError && e.line === 3 && e.column === 1,
  );
});
