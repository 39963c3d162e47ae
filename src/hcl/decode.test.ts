import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  entriesOf,
  groupEntries,
  HclDecoder,
  type HclPos,
  parseHCL,
  parseJSON,
  suggestKey,
} from './index.ts';

const decoder = () =>
  new HclDecoder(
    (reason: string, pos: HclPos | undefined) =>
      new Error(`${pos ? `${pos.line}:${pos.column} ` : ''}${reason}`),
  );

const hclEntries = (text: string) => groupEntries(entriesOf(parseHCL(text)));
const jsonEntries = (text: string) => {
  const root = parseJSON(text);
  assert.ok(root.kind === 'object');
  return groupEntries(entriesOf(root));
};

describe('HclDecoder.sections', () => {
  // The same two `a` sections, written every way HCL and its JSON form allow.
  const forms: Array<[string, ReturnType<typeof hclEntries>]> = [
    ['HCL blocks', hclEntries('a "x" "y" { k = 1 }\na "x" "z" { k = 2 }')],
    ['JSON nested objects', jsonEntries('{"a": {"x": {"y": {"k": 1}, "z": {"k": 2}}}}')],
    ['JSON list of objects', jsonEntries('{"a": [{"x": {"y": {"k": 1}}}, {"x": {"z": {"k": 2}}}]}')],
    ['JSON list under a label', jsonEntries('{"a": {"x": [{"y": {"k": 1}}, {"z": {"k": 2}}]}}')],
  ];
  for (const [name, keys] of forms) {
    it(`reads ${name}`, () => {
      const d = decoder();
      const sections = keys.get('a')!.flatMap((e) => d.sections(e, 2, 'a "x" "y" {}'));
      assert.deepEqual(
        sections.map((s) => [s.labels, s.body]),
        [
          [['x', 'y'], { k: 1 }],
          [['x', 'z'], { k: 2 }],
        ],
      );
      assert.equal(sections[1]?.entries[0]?.key, 'k');
    });
  }

  it('refuses a wrong number of labels or a non-object', () => {
    const d = decoder();
    assert.throws(
      () => d.sections(hclEntries('a "x" {}').get('a')![0]!, 2, 'a "x" "y" {}'),
      /^Error: 1:1 block "a" needs 2 labels/,
    );
    assert.throws(
      () => d.sections(hclEntries('a {}').get('a')![0]!, 1, 'a "x" {}'),
      /needs exactly one label/,
    );
    assert.throws(
      () => d.sections(hclEntries('a = 1').get('a')![0]!, 1, 'a "x" {}'),
      /^Error: 1:5 "a" must be a block \(an object\)/,
    );
    assert.deepEqual(d.sections(hclEntries('a {}').get('a')![0]!, 0, 'a {}')[0]?.labels, []);
  });
});

describe('HclDecoder getters', () => {
  const d = decoder();
  const entry = (text: string) => hclEntries(text).values().next().value![0]!;
  it('reads strings, booleans and counts', () => {
    assert.equal(d.string(entry('a = "x"'), ''), 'x');
    assert.equal(d.bool(entry('a = "TRUE"'), ''), true);
    assert.equal(d.count(entry('a = "42"'), ''), 42);
    assert.equal(d.count(entry('a = 0'), ''), 0);
  });
  it('names the key, the place and the wrong type', () => {
    assert.throws(() => d.string(entry('a = [1]'), 'x: '), {
      message: '1:5 x: "a" must be a string, not a list',
    });
    assert.throws(() => d.bool(entry('a = null'), ''), {
      message: '1:5 "a" must be a boolean (true or false), not null',
    });
    assert.throws(() => d.count(entry('a = 1e30'), ''), { message: '1:5 "a" must be a whole number ≥ 0' });
    assert.throws(() => d.string(entry('a {}'), ''), { message: '1:1 "a" must be a string, not a block' });
    assert.throws(() => d.single(hclEntries('a = 1\na = 2').get('a'), ''), {
      message: '2:1 "a" is set twice (first at line 1, column 1)',
    });
  });
});

it('suggests close keys only', () => {
  const known = ['listener', 'storage', 'ui', 'max_lease_ttl'];
  const cases: Array<[string, string | undefined]> = [
    ['listner', 'listener'],
    ['storge', 'storage'],
    ['max_lease_tll', 'max_lease_ttl'],
    ['uii', 'ui'],
    ['ab', undefined],
    ['something', undefined],
    ['x'.repeat(1000), undefined],
  ];
  for (const [key, want] of cases) assert.equal(suggestKey(key, known), want, key);
});
