import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidPathError } from '../sdk/errors.ts';
import { apiPath, parseTarget, queryData, queryFlag } from './path.ts';

/** The canonical path of a request target, or 'invalid' when it is refused. */
function canonical(url: string): string | undefined {
  try {
    return apiPath(parseTarget(url).path);
  } catch (err) {
    assert.ok(err instanceof InvalidPathError);
    assert.equal(err.message, 'invalid path');
    return 'invalid';
  }
}

describe('path canonicalization', () => {
  const cases: Array<[string, string | undefined]> = [
    ['/v1/secret/data/app', 'secret/data/app'],
    ['/v1/secret/metadata/', 'secret/metadata'],
    ['/v1/secret/data/app?version=2', 'secret/data/app'],
    ['/v1/secret/data/a%20b', 'secret/data/a b'],
    ['/v1/secret/data/a+b', 'secret/data/a+b'],
    ['/v1/secret/data/%C3%A9t%C3%A9', 'secret/data/été'],
    ['/v1/secret/data/%252e', 'secret/data/%2e'], // decoded once: a literal name
    ['/v1/secret/data/%252e%252e', 'secret/data/%2e%2e'],
    ['/v1/secret%2fdata%2fx', 'secret/data/x'], // an encoded slash is a slash
    ['http://127.0.0.1:8200/v1/sys/health', 'sys/health'], // absolute-form
    ['/v1/', ''],
    ['/v1', undefined],
    ['/ui/secrets', undefined],
    ['/', undefined],
    ['/v1/secret/../sys/seal', 'invalid'],
    ['/v1/secret/%2e%2e/sys/seal', 'invalid'],
    ['/v1/secret/%2E%2e/sys/seal', 'invalid'],
    ['/v1/secret%2f..%2fsys', 'invalid'],
    ['/v1/secret/./x', 'invalid'],
    ['/v1/secret/%2e/x', 'invalid'],
    ['/v1/secret/..', 'invalid'],
    ['/v1/..', 'invalid'],
    ['/v1/secret//x', 'invalid'],
    ['/v1//secret', 'invalid'],
    ['/v1/secret/x//', 'invalid'],
    ['/v1//', 'invalid'],
    ['/v1/secret/%00', 'invalid'],
    ['/v1/secret/a%0ab', 'invalid'],
    ['/v1/secret/a%7f', 'invalid'],
    ['/v1/secret/a%5cb', 'invalid'],
    ['/v1/secret/a\\b', 'invalid'],
    ['/v1/secret/%zz', 'invalid'],
    ['/v1/secret/%', 'invalid'],
    ['/v1/secret/%ff', 'invalid'], // not UTF-8
    ['/v1/secret/a#b', 'invalid'],
    ['*', 'invalid'],
    ['v1/secret', 'invalid'],
  ];
  for (const [url, expected] of cases) {
    it(`${JSON.stringify(url)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(canonical(url), expected);
    });
  }
});

describe('query', () => {
  it('single values as strings, repeated ones as arrays, without list and help', () => {
    assert.deepEqual(queryData('a=1&b=2&b=3&list=true&help=1&c=&d=x%20y+z'), {
      a: '1',
      b: ['2', '3'],
      c: '',
      d: 'x y z',
    });
  });

  it('a __proto__ parameter is plain data', () => {
    const data = queryData('__proto__=x&constructor=y');
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(data, '__proto__')?.value, 'x');
  });

  it('boolean flags the way Vault reads them', () => {
    assert.equal(queryFlag('', 'list'), false);
    assert.equal(queryFlag('list=true', 'list'), true);
    assert.equal(queryFlag('list=1', 'list'), true);
    assert.equal(queryFlag('list=false', 'list'), false);
    assert.equal(queryFlag('list=yes', 'list'), undefined);
  });
});

describe('apiPath against a segment-by-segment reference', () => {
  /** The rule spelled out: every segment non-empty, not `.` or `..`; no control character or `\`. */
  function reference(decoded: string): string | undefined | 'invalid' {
    if (!decoded.startsWith('/v1/')) return undefined;
    let rest = decoded.slice(4);
    if (rest === '') return '';
    if (rest.endsWith('/')) rest = rest.slice(0, -1);
    if (rest === '' || /[\u0000-\u001f\u007f\\]/.test(rest)) return 'invalid';
    for (const segment of rest.split('/')) {
      if (segment === '' || segment === '.' || segment === '..') return 'invalid';
    }
    return rest;
  }
  const actual = (decoded: string) => {
    try {
      return apiPath(decoded);
    } catch (err) {
      assert.ok(err instanceof InvalidPathError);
      return 'invalid';
    }
  };
  it('agrees on every path of up to 6 characters from an alphabet of the tricky ones', () => {
    const alphabet = ['/', '.', 'a', '\\', '\u0000', '\u007f', '..', '...', 'é'];
    let checked = 0;
    const walk = (prefix: string, depth: number) => {
      const decoded = `/v1/${prefix}`;
      assert.equal(actual(decoded), reference(decoded), JSON.stringify(decoded));
      checked++;
      if (depth === 0) return;
      for (const c of alphabet) walk(prefix + c, depth - 1);
    };
    walk('', 5);
    assert.ok(checked > 60_000);
  });
});
