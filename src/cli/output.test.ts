import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  columns,
  formatValue,
  headerForKeys,
  humanDuration,
  keyValueTable,
  rfc822,
  sectionHeader,
  table,
} from './output.ts';

test('columns pads all but the last column with four spaces of glue', () => {
  assert.equal(
    columns([
      ['a', 'bb', 'c'],
      ['dddd', 'e', ''],
    ]),
    'a       bb    c\ndddd    e',
  );
});

test('table underlines headers', () => {
  assert.equal(table(['Keys'], [['a'], ['b/']]), 'Keys\n----\na\nb/');
});

test('keyValueTable', () => {
  assert.equal(
    keyValueTable([
      ['created_time', '2024-01-01T00:00:00Z'],
      ['custom_metadata', null],
      ['deletion_time', ''],
      ['destroyed', false],
      ['version', 1],
    ]),
    [
      'Key                Value',
      '---                -----',
      'created_time       2024-01-01T00:00:00Z',
      'custom_metadata    <nil>',
      'deletion_time      n/a',
      'destroyed          false',
      'version            1',
    ].join('\n'),
  );
});

test('formatValue prints like Go %v', () => {
  const cases: [unknown, string][] = [
    ['s', 's'],
    ['', 'n/a'],
    [null, '<nil>'],
    [3, '3'],
    [true, 'true'],
    [['a', 'b'], '[a b]'],
    [{ b: 1, a: ['x'] }, 'map[a:[x] b:1]'],
  ];
  for (const [value, want] of cases) assert.equal(formatValue(value), want);
});

test('section headers center the title', () => {
  assert.equal(sectionHeader('Secret Path', 'secret/data/creds'.length), '== Secret Path ==');
  assert.equal(
    headerForKeys('Metadata', ['created_time', 'custom_metadata', 'version']),
    '======= Metadata =======',
  );
  assert.equal(headerForKeys('Data', ['passcode']), '====== Data ======');
  assert.equal(sectionHeader('Secret Path', 3), '= Secret Path =');
});

test('humanDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [5, '5s'],
    [60, '1m'],
    [90, '1m30s'],
    [3600, '1h'],
    [3660, '1h1m'],
    [3601, '1h0m1s'],
    [2764800, '768h'],
  ];
  for (const [s, want] of cases) assert.equal(humanDuration(s), want, String(s));
});

test('rfc822', () => {
  assert.equal(rfc822('2024-03-05T07:08:09.123Z'), '05 Mar 24 07:08 UTC');
  assert.equal(rfc822('not a date'), 'not a date');
});
