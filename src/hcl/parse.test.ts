import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HclParseError, type JsonLike, MAX_DEPTH, parseHCL, toJSONLike } from './index.ts';

const valid: Array<[name: string, input: string, want: JsonLike]> = [
  ['empty file', '', {}],
  ['only comments and blanks', '# a\n// b\n/* c\n d */\n\n', {}],
  ['byte order mark', '\ufeffa = 1', { a: 1 }],
  ['string attribute', 'a = "x"', { a: 'x' }],
  ['comment after a value', 'a = "x" # why\nb = 2 // because', { a: 'x', b: 2 }],
  ['inline block comment', 'a = /* one */ 1', { a: 1 }],
  ['escapes', String.raw`a = "q\"b\\s\nn\tt\rr"`, { a: 'q"b\\s\nn\tt\rr' }],
  ['unicode escapes', String.raw`a = "\u00e9\U0001F600\ud83d\ude00"`, { a: 'é😀😀' }],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL text, not a JS template
  ['interpolation stays literal', 'a = "${foo} $${x} %{if}"', { a: '${foo} $${x} %{if}' }],
  [
    'policy templating stays literal',
    'a = "secret/{{identity.entity.id}}/*"',
    { a: 'secret/{{identity.entity.id}}/*' },
  ],
  ['comment markers inside strings', 'a = "# not // a /* comment"', { a: '# not // a /* comment' }],
  ['non-ASCII text', 'a = "日本語 ünïcödé"', { a: '日本語 ünïcödé' }],
  ['integer', 'a = 42', { a: 42 }],
  [
    'negative and float',
    'a = -7\nb = 1.5\nc = -0.25\nd = 2e3\ne = 1.5E-2',
    { a: -7, b: 1.5, c: -0.25, d: 2000, e: 0.015 },
  ],
  ['hexadecimal', 'a = 0x1F\nb = -0x10', { a: 31, b: -16 }],
  ['booleans and null', 'a = true\nb = false\nc = null', { a: true, b: false, c: null }],
  ['empty list', 'a = []', { a: [] }],
  ['list with trailing comma', 'a = ["x", "y",]', { a: ['x', 'y'] }],
  [
    'multi-line list with comments',
    'a = [\n  "x", # first\n  2,\n  // gap\n  true,\n]',
    { a: ['x', 2, true] },
  ],
  ['nested lists', 'a = [[1, 2], [], [[3]]]', { a: [[1, 2], [], [[3]]] }],
  ['object with = and :', 'a = { k = 1, "k2": "v", k3 = [] }', { a: { k: 1, k2: 'v', k3: [] } }],
  ['multi-line object without commas', 'a = {\n  x = 1\n  y = "2"\n}', { a: { x: 1, y: '2' } }],
  ['empty object', 'a = {}', { a: {} }],
  ['object in a list', 'a = [{ x = 1 }, { y = 2 }]', { a: [{ x: 1 }, { y: 2 }] }],
  ['value on the next line after =', 'a =\n  "x"', { a: 'x' }],
  ['identifier with dash, digit and underscore', 'max-ttl_2 = 1', { 'max-ttl_2': 1 }],
  ['quoted attribute name', '"odd key" = 1', { 'odd key': 1 }],
  ['keyword-like names are plain keys', 'true = 1\nnull = 2', { true: 1, null: 2 }],
  ['block without labels', 'telemetry {\n  a = 1\n}', { telemetry: { a: 1 } }],
  ['empty block', 'x {}', { x: {} }],
  ['block with a quoted label', 'storage "sqlite" { path = "/d" }', { storage: { sqlite: { path: '/d' } } }],
  ['block with a bare label', 'storage sqlite { path = "/d" }', { storage: { sqlite: { path: '/d' } } }],
  ['block with two labels', 'a "b" c { d = 1 }', { a: { b: { c: { d: 1 } } } }],
  ['brace on the next line after labels', 'a "b"\n{\n}', { a: { b: {} } }],
  ['nested blocks', 'a { b { c = 1 } }', { a: { b: { c: 1 } } }],
  [
    'one-line block with commas',
    'l "tcp" { address = "x", tls = true }',
    { l: { tcp: { address: 'x', tls: true } } },
  ],
  [
    'repeated blocks keep their order',
    'p "a" {}\np "b" {}\np "a" {}',
    { p: [{ a: {} }, { b: {} }, { a: {} }] },
  ],
  ['repeated attributes become a list', 'a = 1\na = 2', { a: [1, 2] }],
  ['heredoc', 'a = <<EOF\nline 1\n  line 2\nEOF\nb = 1', { a: 'line 1\n  line 2\n', b: 1 }],
  ['empty heredoc', 'a = <<EOF\nEOF', { a: '' }],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL text, not a JS template
  ['heredoc keeps quotes, escapes and ${}', 'a = <<X\n"q" \\n ${y}\nX', { a: '"q" \\n ${y}\n' }],
  [
    'indented heredoc strips the common indent',
    'a = <<-EOT\n    x\n      y\n\n    z\n    EOT',
    { a: 'x\n  y\n\nz\n' },
  ],
  ['heredoc with CRLF line ends', 'a = <<EOF\r\nx\r\nEOF\r\nb = 1\r\n', { a: 'x\n', b: 1 }],
  ['CRLF line ends', 'a = 1\r\nb {\r\n  c = "d"\r\n}\r\n', { a: 1, b: { c: 'd' } }],
  [
    '__proto__ is plain data',
    '__proto__ = 1\nb = { __proto__ = 2 }',
    { ['__proto__']: 1, b: { ['__proto__']: 2 } },
  ],
];

const invalid: Array<[name: string, input: string, message: string]> = [
  ['missing =', 'a\n', `line 1, column 2: expected '=' after key "a"`],
  ['key then value without =', 'ui true', `line 1, column 3: expected '=' after key "ui"`],
  ['missing value', 'a = ', 'line 1, column 5: expected a value, found end of input'],
  ['missing value before newline', 'a =\n\nb = 1', 'line 1, column 4: expected a value, found end of line'],
  [
    'unquoted word',
    'a = hunter2',
    'line 1, column 5: expected a value, found an unquoted word (strings must be quoted)',
  ],
  [
    'unquoted word on the next line in a list',
    'a = [\n  read\n]',
    'line 2, column 3: expected a value, found an unquoted word (strings must be quoted)',
  ],
  [
    'unquoted duration',
    'a = 10s',
    'line 1, column 5: invalid number (quote durations and other words, as in "30s")',
  ],
  ['bad number', 'a = 1.', 'line 1, column 5: invalid number (quote durations and other words, as in "30s")'],
  ['lone minus', 'a = -', `line 1, column 5: expected a value, found '-'`],
  [
    'two attributes on one line',
    'a = 1 b = 2',
    `line 1, column 7: expected a newline after attribute "a", found 'b'`,
  ],
  ['stray closing brace', 'a = 1\n}', `line 2, column 1: unexpected '}' with no block to close`],
  [
    'unclosed block',
    'b {\n  a = 1\n',
    "line 3, column 1: unexpected end of input: the block opened at line 1, column 3 is not closed with '}'",
  ],
  [
    'labels without a body',
    'storage "sqlite"\nui = true',
    `line 1, column 17: expected '{' after the labels of block "storage"`,
  ],
  ['labels then =', 'x "y" = 1', `line 1, column 7: expected '{' after the labels of block "x", found '='`],
  ['quoted key then a block', '"a" { }', `line 1, column 4: expected '=' after key "a"`],
  ['colon in a body', 'a: 1', `line 1, column 2: expected '=' after key "a"`],
  ['bad start of item', '= 1', `line 1, column 1: expected an attribute name or a block type, found '='`],
  [
    'unterminated string',
    'a = "abc',
    `line 1, column 5: unterminated string: missing '"' before the end of the line`,
  ],
  [
    'newline in string',
    'a = "abc\n"',
    `line 1, column 5: unterminated string: missing '"' before the end of the line`,
  ],
  [
    'unknown escape',
    String.raw`a = "\q"`,
    String.raw`line 1, column 6: invalid escape sequence '\q' (use \n \t \r \" \\ \uXXXX)`,
  ],
  [
    'short unicode escape',
    String.raw`a = "\u12"`,
    String.raw`line 1, column 6: invalid escape sequence: '\u' needs 4 hex digits`,
  ],
  [
    'code point out of range',
    String.raw`a = "\U00110000"`,
    'line 1, column 6: invalid escape sequence: code point out of range',
  ],
  ['unterminated comment', 'a = 1 /* x', `line 1, column 7: unterminated comment: missing '*/'`],
  ['list without comma', 'a = [1 2]', `line 1, column 8: expected ',' or ']' in list, found '2'`],
  [
    'unclosed list',
    'a = [1,\n2',
    "line 2, column 2: unexpected end of input: the list opened at line 1, column 5 is not closed with ']'",
  ],
  ['list with a hole', 'a = [1,,2]', `line 1, column 8: expected a value, found ','`],
  ['object key without =', 'a = { k 1 }', `line 1, column 9: expected '=' or ':' after key "k"`],
  [
    'object items on one line',
    'a = { x = 1 y = 2 }',
    `line 1, column 13: expected ',' or a newline after the value of "x"`,
  ],
  ['duplicate object key', 'a = { x = 1, x = 2 }', 'line 1, column 14: duplicate key "x" in object'],
  [
    'unclosed object',
    'a = {',
    "line 1, column 6: unexpected end of input: the object opened at line 1, column 5 is not closed with '}'",
  ],
  ['bad object key', 'a = { [1] = 2 }', `line 1, column 7: expected an object key, found '['`],
  [
    'heredoc without marker',
    'a = <<\nx',
    `line 1, column 7: expected a heredoc marker after '<<', as in <<EOF`,
  ],
  [
    'text after heredoc marker',
    'a = <<EOF x\nEOF',
    'line 1, column 10: expected a newline after heredoc marker "EOF"',
  ],
  [
    'unterminated heredoc',
    'a = <<EOF\nx\nEOFX',
    'line 1, column 5: unterminated heredoc: no line holds the closing marker "EOF"',
  ],
  [
    'control character',
    'a = 1\n\u0001',
    'line 2, column 1: expected an attribute name or a block type, found control character U+0001',
  ],
  ['number out of range', 'a = 1e999', 'line 1, column 5: number out of range'],
];

describe('parseHCL', () => {
  for (const [name, input, want] of valid) {
    it(`parses: ${name}`, () => assert.deepEqual(toJSONLike(parseHCL(input)), want));
  }
  for (const [name, input, message] of invalid) {
    it(`refuses: ${name}`, () => {
      assert.throws(
        () => parseHCL(input),
        (err: unknown) => {
          assert.ok(err instanceof HclParseError);
          assert.equal(err.message, message);
          const m = /^line (\d+), column (\d+): (.*)$/s.exec(message)!;
          assert.deepEqual([err.line, err.column, err.reason], [Number(m[1]), Number(m[2]), m[3]]);
          return true;
        },
      );
    });
  }

  it('keeps blocks, labels and positions in the tree', () => {
    const body = parseHCL('a = 1\n\n  listener "tcp" {\n    address = "x"\n  }\nlistener "tcp" {}\n');
    assert.equal(body.items.length, 3);
    const [attr, first, second] = body.items;
    assert.deepEqual(attr, {
      kind: 'attribute',
      name: 'a',
      value: { kind: 'number', value: 1, pos: { line: 1, column: 5 } },
      pos: { line: 1, column: 1 },
    });
    assert.ok(first?.kind === 'block' && second?.kind === 'block');
    assert.deepEqual([first.name, first.labels, first.pos], ['listener', ['tcp'], { line: 3, column: 3 }]);
    assert.deepEqual(first.body.items[0]?.pos, { line: 4, column: 5 });
    assert.deepEqual(second.pos, { line: 6, column: 1 });
  });

  it('does not echo an unquoted value (it may be a secret)', () => {
    assert.throws(
      () => parseHCL('password = s3cr3t-value'),
      (err: Error) => !err.message.includes('s3cr3t'),
    );
  });
});

describe('parseHCL on hostile input', () => {
  const deep: Array<[string, string]> = [
    ['10,000 [', `a = ${'['.repeat(10_000)}`],
    ['10,000 {', `a = ${'{ a = '.repeat(10_000)}`],
    ['10,000 nested blocks', 'a { '.repeat(10_000)],
    ['10,000 [ at the top level', '['.repeat(10_000)],
  ];
  for (const [name, input] of deep) {
    it(`gives a parse error, not a crash: ${name}`, () =>
      assert.throws(() => parseHCL(input), HclParseError));
  }

  it(`accepts exactly ${MAX_DEPTH} levels of nesting`, () => {
    const ok = `a = ${'['.repeat(MAX_DEPTH - 1)}{}${']'.repeat(MAX_DEPTH - 1)}`;
    assert.doesNotThrow(() => parseHCL(ok));
    const tooDeep = `a = ${'['.repeat(MAX_DEPTH)}{}${']'.repeat(MAX_DEPTH)}`;
    assert.throws(() => parseHCL(tooDeep), /nesting is deeper than 100 levels/);
  });

  it('stays linear on large inputs', () => {
    const inputs = [
      '/**/'.repeat(250_000),
      `a = "${'x'.repeat(2_000_000)}"`,
      `a = [${'1,'.repeat(300_000)}]`,
      `a = <<EOF\n${'line\n'.repeat(300_000)}EOF`,
      'p "x" { c = ["read"] }\n'.repeat(50_000),
      `a = "${'\\n'.repeat(500_000)}`,
    ];
    const started = performance.now();
    for (const input of inputs) {
      try {
        parseHCL(input);
      } catch (err) {
        assert.ok(err instanceof HclParseError);
      }
    }
    assert.ok(performance.now() - started < 5000, 'large inputs took too long');
  });
});
