import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidFieldError } from '../errors.ts';
import { compilePattern, compileTable, matchPattern, validateFields } from './backend.ts';
import { f } from './fields.ts';
import { definePath } from './path.ts';

describe('matchPattern', () => {
  const cases: Array<[string, string, Record<string, string> | undefined]> = [
    ['config', 'config', {}],
    ['config', 'config/x', undefined],
    ['data/:path+', 'data/a/b', { path: 'a/b' }],
    ['data/:path+', 'data', undefined],
    ['metadata/:path*', 'metadata', { path: '' }],
    ['metadata/:path*', 'metadata/a', { path: 'a' }],
    ['users/:name', 'users/bob', { name: 'bob' }],
    ['users/:name', 'users/bob/x', undefined],
    ['mounts/:path+/tune', 'mounts/a/b/tune', { path: 'a/b' }],
    ['mounts/:path+/tune', 'mounts/tune', undefined],
    ['mounts/:path+', 'mounts/a/tune', { path: 'a/tune' }],
    ['', '', {}],
  ];
  for (const [pattern, path, want] of cases) {
    it(`${pattern} ~ ${path}`, () => {
      assert.deepEqual(matchPattern(compilePattern(pattern), path), want);
    });
  }
});

describe('compileTable', () => {
  const def = (pattern: string) =>
    definePath({ pattern, fields: {}, operations: {}, help: { synopsis: pattern, description: '' } });
  const table = [
    'config',
    ':name/rotate',
    'data/:path+',
    ':name',
    'data/x/special',
    '',
    'roles/:role',
    ':rest*',
  ].map(def);
  const match = compileTable(table);
  /** The reference: the first pattern in table order that matches. */
  const linear = (path: string) =>
    table.find((d) => matchPattern(compilePattern(d.pattern), path) !== undefined);
  const paths = [
    '',
    'config',
    'config/rotate',
    'data',
    'data/a',
    'data/x/special',
    'roles',
    'roles/r',
    'roles/r/x',
    'other',
    'other/rotate',
    'a/b/c',
    'config/x/y',
  ];
  for (const path of paths) {
    it(`"${path}": the same pattern and parameters as a scan in table order`, () => {
      const want = linear(path);
      const got = match(path);
      assert.equal(got?.path.pattern, want?.pattern);
      if (want) assert.deepEqual(got?.params, matchPattern(compilePattern(want.pattern), path));
    });
  }
  it('a parameter pattern listed before a literal one still wins for that literal', () => {
    assert.equal(match('config/rotate')?.path.pattern, ':name/rotate');
    assert.equal(match('data/x/special')?.path.pattern, 'data/:path+');
    assert.equal(match('roles')?.path.pattern, ':name');
  });
  it('no match without a catch-all', () => {
    const strict = compileTable(['config', 'roles/:role'].map(def));
    assert.equal(strict('roles'), undefined);
    assert.equal(strict('nothing/here'), undefined);
    assert.equal(strict(''), undefined);
  });
});

describe('validateFields', () => {
  const def = definePath({
    pattern: 'users/:name',
    fields: {
      name: f.name({ description: 'n' }),
      password: f.string({ description: 'p', required: true, sensitive: true }),
      ttl: f.duration({ description: 't', default: 0 }),
      n: f.int({ description: 'n', min: 1 }),
      on: f.bool({ description: 'b' }),
      list: f.commaList({ description: 'l' }),
    },
    operations: {},
    help: { synopsis: 's', description: 'd' },
  });
  it('parses typed values and defaults', () => {
    const v = validateFields(
      def,
      { name: 'bob' },
      { password: 'x', n: '3', on: 'true', list: 'a, b' },
      'update',
    );
    assert.deepEqual(v, { name: 'bob', password: 'x', ttl: 0, n: 3, on: true, list: ['a', 'b'] });
  });
  it('refuses unknown, missing and mistyped fields', () => {
    assert.throws(
      () => validateFields(def, { name: 'b' }, { password: 'x', bogus: 1 }, 'update'),
      InvalidFieldError,
    );
    assert.throws(
      () => validateFields(def, { name: 'b' }, {}, 'create'),
      /missing required field "password"/,
    );
    assert.throws(
      () => validateFields(def, { name: 'b' }, { password: 1 }, 'update'),
      /field "password": expected a string/,
    );
    assert.throws(
      () => validateFields(def, { name: 'b' }, { password: 'x', n: 'abc' }, 'update'),
      /expected an integer/,
    );
    assert.throws(
      () => validateFields(def, { name: 'b' }, { password: 'x', n: 0 }, 'update'),
      /integer >= 1/,
    );
    assert.throws(
      () => validateFields(def, { name: 'b' }, { password: 'x', ttl: '5 parsecs' }, 'update'),
      /duration/,
    );
    // longer than Go's longest duration: later added to the clock, it made invalid dates
    for (const ttl of ['9999999999999h', 1e300, '99999999999999999999']) {
      assert.throws(
        () => validateFields(def, { name: 'b' }, { password: 'x', ttl }, 'update'),
        /field "ttl": expected a duration .*at most 2562047h/,
      );
    }
  });
  it('does not require fields on read', () => {
    assert.deepEqual(validateFields(def, { name: 'b' }, {}, 'read').name, 'b');
  });
});
