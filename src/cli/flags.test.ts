import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlagError, parseFlags, parseIntList, parseKeyValueFlags } from './flags.ts';

const specs = {
  field: { type: 'string', usage: 'f' },
  version: { type: 'int', usage: 'v' },
  detailed: { type: 'bool', usage: 'd' },
  cas: { type: 'int', default: -1, usage: 'c' },
  meta: { type: 'list', usage: 'm' },
} as const;

describe('parseFlags', () => {
  const cases: {
    name: string;
    argv: string[];
    interspersed?: boolean;
    want: Record<string, unknown>;
    args: string[];
  }[] = [
    { name: 'nothing', argv: [], want: { detailed: false, cas: -1, meta: [] }, args: [] },
    { name: '-flag=value', argv: ['-field=a', 'p'], want: { field: 'a' }, args: ['p'] },
    { name: '-flag value', argv: ['-field', 'a', 'p'], want: { field: 'a' }, args: ['p'] },
    { name: '--flag=value', argv: ['--field=a=b'], want: { field: 'a=b' }, args: [] },
    { name: '--flag value', argv: ['--version', '3'], want: { version: 3 }, args: [] },
    { name: 'empty value', argv: ['-field='], want: { field: '' }, args: [] },
    { name: 'bool alone', argv: ['-detailed', 'x'], want: { detailed: true }, args: ['x'] },
    {
      name: 'bool does not eat the next arg',
      argv: ['-detailed', 'false'],
      want: { detailed: true },
      args: ['false'],
    },
    { name: 'bool =false', argv: ['-detailed=false'], want: { detailed: false }, args: [] },
    { name: 'bool =1 / =T', argv: ['-detailed=1'], want: { detailed: true }, args: [] },
    { name: 'negative int', argv: ['-cas', '-5'], want: { cas: -5 }, args: [] },
    { name: 'int default', argv: ['x'], want: { cas: -1 }, args: ['x'] },
    { name: 'list repeats', argv: ['-meta=a=1', '-meta', 'b=2'], want: { meta: ['a=1', 'b=2'] }, args: [] },
    {
      name: 'flags stop at first arg',
      argv: ['p', '-field=a'],
      want: { field: undefined },
      args: ['p', '-field=a'],
    },
    {
      name: 'interspersed',
      argv: ['p', '-field=a', 'k=v'],
      interspersed: true,
      want: { field: 'a' },
      args: ['p', 'k=v'],
    },
    {
      name: '-- ends flags',
      argv: ['--', '-field=a'],
      interspersed: true,
      want: { field: undefined },
      args: ['-field=a'],
    },
    {
      name: 'lone dash is an arg',
      argv: ['-', '-detailed'],
      interspersed: true,
      want: { detailed: true },
      args: ['-'],
    },
    { name: 'negative number is an arg', argv: ['-1'], want: {}, args: ['-1'] },
    { name: 'last wins', argv: ['-field=a', '-field=b'], want: { field: 'b' }, args: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const parsed = parseFlags(specs, c.argv, { interspersed: c.interspersed ?? false });
      for (const [k, v] of Object.entries(c.want))
        assert.deepEqual(parsed.flags[k as keyof typeof specs], v, k);
      assert.deepEqual(parsed.args, c.args);
      assert.equal(parsed.help, false);
    });
  }

  test('records which flags were set', () => {
    const parsed = parseFlags(specs, ['-detailed=false', '-cas=0']);
    assert.deepEqual([...parsed.set].sort(), ['cas', 'detailed']);
  });

  for (const h of ['-h', '-help', '--help', '--h']) {
    test(`${h} asks for help`, () => {
      assert.equal(parseFlags(specs, ['-field=a', h]).help, true);
    });
  }

  const errors: [string[], RegExp][] = [
    [['-nope'], /flag provided but not defined: -nope/],
    [['--nope=1'], /flag provided but not defined: -nope/],
    [['-field'], /flag needs an argument: -field/],
    [['-version=x'], /invalid value "x" for flag -version: parse error/],
    [['-version', '1.5'], /invalid value "1.5" for flag -version/],
    [['-detailed=maybe'], /invalid boolean value "maybe" for -detailed/],
    [['---x'], /bad flag syntax: ---x/],
    [['-=x'], /bad flag syntax: -=x/],
  ];
  for (const [argv, message] of errors) {
    test(`error: ${argv.join(' ')}`, () => {
      assert.throws(
        () => parseFlags(specs, argv),
        (e: unknown) => e instanceof FlagError && message.test(e.message),
      );
    });
  }
});

test('parseIntList splits commas and repeats', () => {
  assert.deepEqual(parseIntList('versions', ['1,2', '3', ' 4 , ']), [1, 2, 3, 4]);
  assert.throws(() => parseIntList('versions', ['1,x']), /invalid value "1,x" for flag -versions/);
});

test('parseKeyValueFlags', () => {
  assert.deepEqual(parseKeyValueFlags('custom-metadata', ['a=1', 'b=x=y', 'c=']), {
    a: '1',
    b: 'x=y',
    c: '',
  });
  assert.throws(() => parseKeyValueFlags('custom-metadata', ['novalue']), /format must be key=value/);
  assert.throws(() => parseKeyValueFlags('custom-metadata', ['=x']), /format must be key=value/);
});
