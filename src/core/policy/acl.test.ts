import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Operation } from '../../sdk/request.ts';
import { ACL, globbedStringsMatch } from './acl.ts';
import { parsePolicy } from './parse.ts';
import { ROOT_POLICY } from './policy.ts';

const policy = (text: string, name = 'p') => parsePolicy(name, text);
const acl = (...texts: string[]) => ACL.compile(texts.map((t, i) => policy(t, `p${i}`)));

describe('precedence (Vault priority rules)', () => {
  // [request path, patterns (any order), the pattern that must win, which rule decides]
  const cases: Array<[string, string[], string, string]> = [
    ['secret/a/foo', ['secret/*', 'secret/+/foo'], 'secret/+/foo', 'docs: 2, ending in * loses'],
    ['secret/a/b/foo', ['secret/+/+/foo', 'secret/+/*'], 'secret/+/+/foo', 'docs: 2, ending in * loses'],
    ['secret/foo/bar', ['secret/foo*', 'secret/foo/*'], 'secret/foo/*', 'docs: 1, later wildcard wins'],
    ['secret/foo/bar', ['secret/*', 'secret/foo/*'], 'secret/foo/*', '1'],
    ['secret/foo/bar', ['secret/+/bar', 'secret/foo/+'], 'secret/foo/+', '1'],
    ['secret/a/b', ['secret/+/b', 'secret/a*'], 'secret/a*', '1, a * later beats a + earlier'],
    ['secret/a/b/c', ['secret/+/+/*', 'secret/a/+/*'], 'secret/a/+/*', '1'],
    ['secret/foo', ['secret/foo*', 'secret/+'], 'secret/foo*', '1'],
    ['secret/foo', ['secret/*', 'secret/+'], 'secret/+', '2'],
    ['secret/a/b', ['secret/+/*', 'secret/+/+'], 'secret/+/+', '2'],
    ['a/b/c', ['*', '+/b/c'], '+/b/c', '2 at position 0'],
    ['secret/a/b', ['secret/+/+', 'secret/+/b'], 'secret/+/b', '3, more + loses'],
    ['x/a/c/d/e', ['x/+/+/d/*', 'x/+/c/+/*'], 'x/+/c/+/*', '5 (equal + count and length)'],
    ['secret/a/b/c', ['secret/+/b/*', 'secret/+/*'], 'secret/+/b/*', '4, shorter loses'],
    ['x/a/c/d', ['x/+/c/+', 'x/+/+/d'], 'x/+/c/+', '5, the greater string wins'],
    ['x/a/c/d', ['x/+/c/d*', 'x/+/+/d'], 'x/+/+/d', '2 before 3'],
    ['q/a/c/d', ['q/+/c/+', 'q/+/+/d', 'q/+/+/+'], 'q/+/c/+', '3 then 5'],
    ['secret/app/x', ['*', 'secret/*', 'secret/app/*'], 'secret/app/*', 'longest prefix'],
    ['secret/foo', ['secret/*', 'secret/foo'], 'secret/foo', 'exact beats glob'],
    ['secret/foo', ['secret/+', 'secret/foo', 'secret/foo*'], 'secret/foo', 'exact beats everything'],
  ];
  const caps = ['read', 'list', 'update', 'create', 'delete', 'patch'];
  for (const [path, patterns, winner, why] of cases) {
    it(`${path}: ${patterns.join(' vs ')} → ${winner} (${why})`, () => {
      for (const order of [patterns, [...patterns].reverse()]) {
        const text = order.map((p) => `path "${p}" { capabilities = ["${caps[patterns.indexOf(p)]}"] }`);
        const a = ACL.compile([policy(text.join('\n'))]);
        assert.deepEqual(a.capabilities(path), [caps[patterns.indexOf(winner)]]);
      }
    });
  }
  it('the winner alone decides: capabilities are not combined across patterns', () => {
    const a = acl(
      'path "secret/*" { capabilities = ["read"] }',
      'path "secret/+/x" { capabilities = ["update"] }',
    );
    assert.deepEqual(a.capabilities('secret/a/x'), ['update']);
    assert.equal(a.allowOperation('secret/a/x', 'read').allowed, false);
  });
});

describe('glob matching', () => {
  const cases: Array<[string, string, boolean]> = [
    ['secret/+/config', 'secret/x/config', true],
    ['secret/+/config', 'secret/config', false],
    ['secret/+/config', 'secret/x/y/config', false],
    ['secret/+/config', 'secret/x/configs', false],
    ['secret/+/*', 'secret/a/b/c', true],
    ['secret/+/*', 'secret/a/', true],
    ['secret/+/*', 'secret/a', false],
    ['secret/+/co*', 'secret/a/config/x', true],
    ['+/data/x', 'kv/data/x', true],
    ['secret/+', 'secret/a', true],
    ['secret/+', 'secret/a/b', false],
    ['secret/*', 'secret/', true],
    ['secret/*', 'secret', false],
    ['secret/fo*', 'secret/foo/bar', true],
    ['*', 'anything/at/all', true],
    ['secret/a+b', 'secret/a+b', true],
    ['secret/a+b', 'secret/axb', false],
    ['secret/foo', 'secret/foo/', false],
    ['secret/*/x', 'secret/a/x', false],
  ];
  for (const [pattern, path, want] of cases) {
    it(`${pattern} ${want ? 'matches' : 'does not match'} ${path}`, () => {
      const a = acl(`path "${pattern}" { capabilities = ["read"] }`);
      assert.deepEqual(a.capabilities(path), want ? ['read'] : ['deny']);
    });
  }
});

describe('allowOperation', () => {
  it('maps each operation to its capability', () => {
    const ops: Operation[] = ['read', 'list', 'create', 'update', 'patch', 'delete'];
    for (const op of ops) {
      const a = acl(`path "x/*" { capabilities = ["${op}"] }`);
      for (const other of ops)
        assert.equal(a.allowOperation('x/y', other).allowed, op === other, `${op}/${other}`);
    }
  });

  it('matches a LIST as Vault does, with a trailing slash', () => {
    const a = acl(
      'path "secret/metadata/app/*" { capabilities = ["list"] }',
      'path "kv/dir" { capabilities = ["list"] }',
    );
    assert.equal(a.allowOperation('secret/metadata/app', 'list').allowed, true);
    assert.equal(a.allowOperation('secret/metadata/app', 'read').allowed, false);
    assert.equal(a.allowOperation('kv/dir', 'list').allowed, true);
    assert.equal(a.allowOperation('kv/dir/', 'list').allowed, true);
    assert.equal(a.allowOperation('secret/metadata', 'list').allowed, false);
  });

  it('reports sudo and the capabilities of the matching rule', () => {
    const a = acl('path "sys/audit/*" { capabilities = ["update", "sudo"] }');
    assert.deepEqual(a.allowOperation('sys/audit/file', 'update'), {
      allowed: true,
      sudo: true,
      capabilities: ['sudo', 'update'],
    });
    assert.deepEqual(a.allowOperation('sys/audit/file', 'delete'), {
      allowed: false,
      sudo: true,
      capabilities: ['sudo', 'update'],
      reason: 'no-capability',
    });
    assert.deepEqual(a.allowOperation('nowhere', 'read'), {
      allowed: false,
      sudo: false,
      capabilities: [],
      reason: 'no-capability',
    });
  });

  it('returns the wrapping TTLs of the matching rule', () => {
    const a = acl('path "w" { capabilities = ["read"]\n min_wrapping_ttl = "1m"\n max_wrapping_ttl = "1h" }');
    const r = a.allowOperation('w', 'read');
    assert.equal(r.minWrappingTTL, 60);
    assert.equal(r.maxWrappingTTL, 3600);
  });

  it('ignores a leading slash', () => {
    assert.equal(acl('path "a/b" { capabilities = ["read"] }').allowOperation('/a/b', 'read').allowed, true);
  });

  it('root allows everything, sudo included', () => {
    const a = ACL.compile([ROOT_POLICY, policy('path "*" { capabilities = ["deny"] }')]);
    assert.equal(a.root, true);
    assert.deepEqual(a.allowOperation('sys/raw/x', 'delete'), {
      allowed: true,
      sudo: true,
      capabilities: ['root'],
    });
    assert.deepEqual(a.capabilities('anything'), ['root']);
    assert.deepEqual(a.resultant(), { exact_paths: {}, glob_paths: {}, root: true });
  });

  it('no policies allow nothing', () => {
    const a = ACL.compile([]);
    assert.equal(a.root, false);
    assert.deepEqual(a.capabilities('secret/x'), ['deny']);
  });
});

describe('deny', () => {
  it('on the same pattern in another policy beats every grant', () => {
    const a = acl(
      'path "secret/*" { capabilities = ["read", "update", "sudo"] }',
      'path "secret/*" { capabilities = ["deny"] }',
      'path "secret/*" { capabilities = ["list"] }',
    );
    assert.deepEqual(a.capabilities('secret/x'), ['deny']);
    assert.deepEqual(a.allowOperation('secret/x', 'read'), {
      allowed: false,
      sudo: false,
      capabilities: ['deny'],
      reason: 'no-capability',
    });
  });
  it('on a more specific pattern beats a grant on a broader one', () => {
    const a = acl(
      'path "secret/*" { capabilities = ["read"] }',
      'path "secret/admin/*" { capabilities = ["deny"] }',
    );
    assert.equal(a.allowOperation('secret/admin/x', 'read').allowed, false);
    assert.equal(a.allowOperation('secret/app/x', 'read').allowed, true);
  });
  it('on a broader pattern does not reach a more specific grant (Vault)', () => {
    const a = acl(
      'path "secret/*" { capabilities = ["deny"] }',
      'path "secret/ok" { capabilities = ["read"] }',
    );
    assert.equal(a.allowOperation('secret/ok', 'read').allowed, true);
  });
  it('capabilities from several policies on one pattern are unioned', () => {
    const a = acl('path "a" { capabilities = ["read"] }', 'path "a" { capabilities = ["update"] }');
    assert.deepEqual(a.capabilities('a'), ['read', 'update']);
  });
  it('a rule with no capabilities shadows broader rules', () => {
    const a = acl('path "secret/*" { capabilities = ["read"] }', 'path "secret/x" { capabilities = [] }');
    assert.deepEqual(a.capabilities('secret/x'), ['deny']);
    assert.equal(a.allowOperation('secret/x', 'read').allowed, false);
  });
});

describe('parameters', () => {
  const rule = (body: string) =>
    acl(`path "p" {\n capabilities = ["create", "update", "read", "list", "delete"]\n${body}\n}`);
  // [rule body, operation, data, expected reason (undefined = allowed)]
  const cases: Array<[string, Operation, Record<string, unknown>, string | undefined]> = [
    ['allowed_parameters = { "a" = [] }', 'update', { a: 'anything' }, undefined],
    ['allowed_parameters = { "a" = [] }', 'update', { b: 1 }, 'parameter-not-allowed'],
    ['allowed_parameters = { "a" = ["x", "y"] }', 'update', { a: 'y' }, undefined],
    ['allowed_parameters = { "a" = ["x", "y"] }', 'update', { a: 'z' }, 'parameter-not-allowed'],
    ['allowed_parameters = { "a" = ["x"] }', 'create', { A: 'x' }, undefined],
    ['allowed_parameters = { "a" = ["x"] }', 'delete', { a: 'z' }, undefined],
    ['allowed_parameters = { "a" = ["x"] }', 'list', { a: 'z' }, undefined],
    ['allowed_parameters = { "a" = ["x"] }', 'read', { a: 'z' }, 'parameter-not-allowed'],
    ['allowed_parameters = { "a" = ["x"] }', 'update', {}, undefined],
    ['allowed_parameters = { "*" = [] }', 'update', { any: 1, thing: 2 }, undefined],
    ['allowed_parameters = { "*" = [], "a" = ["x"] }', 'update', { b: 1 }, undefined],
    ['allowed_parameters = { "*" = [], "a" = ["x"] }', 'update', { a: 'y' }, 'parameter-not-allowed'],
    ['allowed_parameters = { "a" = ["pre*"] }', 'update', { a: 'prefix' }, undefined],
    ['allowed_parameters = { "a" = ["pre*"] }', 'update', { a: 'xpre' }, 'parameter-not-allowed'],
    ['allowed_parameters = { "a" = ["*fix"] }', 'update', { a: 'suffix' }, undefined],
    ['allowed_parameters = { "a" = ["*mid*"] }', 'update', { a: 'amidst' }, undefined],
    ['allowed_parameters = { "a" = ["*"] }', 'update', { a: 'x' }, 'parameter-not-allowed'],
    ['allowed_parameters = { "ttl" = ["30", 60] }', 'update', { ttl: 30 }, undefined],
    ['allowed_parameters = { "ttl" = ["30", 60] }', 'update', { ttl: '60' }, undefined],
    ['allowed_parameters = { "on" = [true] }', 'update', { on: 'true' }, undefined],
    ['allowed_parameters = { "l" = ["a", "b"] }', 'update', { l: ['a', 'b'] }, undefined],
    ['allowed_parameters = { "l" = ["a", "b"] }', 'update', { l: ['a', 'c'] }, 'parameter-not-allowed'],
    ['denied_parameters = { "a" = [] }', 'update', { a: 'x' }, 'denied-parameter'],
    ['denied_parameters = { "a" = [] }', 'update', { b: 'x' }, undefined],
    ['denied_parameters = { "a" = ["bad*"] }', 'update', { a: 'badness' }, 'denied-parameter'],
    ['denied_parameters = { "a" = ["bad*"] }', 'update', { a: 'good' }, undefined],
    ['denied_parameters = { "l" = ["root"] }', 'update', { l: ['dev', 'root'] }, 'denied-parameter'],
    ['denied_parameters = { "*" = [] }', 'update', { a: 1 }, 'denied-parameter'],
    ['denied_parameters = { "*" = [] }', 'update', {}, undefined],
    [
      'allowed_parameters = { "a" = [] }\n denied_parameters = { "a" = ["no"] }',
      'update',
      { a: 'no' },
      'denied-parameter',
    ],
    [
      'allowed_parameters = { "a" = [] }\n denied_parameters = { "a" = ["no"] }',
      'update',
      { a: 'ok' },
      undefined,
    ],
    ['required_parameters = ["name"]', 'update', { name: 'x' }, undefined],
    ['required_parameters = ["name"]', 'update', { other: 'x' }, 'missing-required-parameter'],
    ['required_parameters = ["name"]', 'update', {}, 'missing-required-parameter'],
    ['required_parameters = ["name"]', 'delete', {}, undefined],
    [
      'required_parameters = ["name"]\n allowed_parameters = { "name" = ["x"] }',
      'update',
      { name: 'y' },
      'parameter-not-allowed',
    ],
    ['allowed_parameters = { "o" = [{ k = "v" }] }', 'update', { o: { k: 'v' } }, undefined],
  ];
  for (const [body, op, data, reason] of cases) {
    it(`${body.replace(/\n/g, ';')} / ${op} ${JSON.stringify(data)} → ${reason ?? 'allowed'}`, () => {
      const r = rule(body).allowOperation('p', op, data);
      assert.equal(r.allowed, reason === undefined);
      assert.equal(r.reason, reason);
    });
  }

  it('merges parameters of one pattern across policies as Vault does', () => {
    const a = acl(
      'path "p" { capabilities = ["update"]\n allowed_parameters = { "a" = ["x"], "b" = ["1"] } }',
      'path "p" { capabilities = ["update"]\n allowed_parameters = { "a" = ["y"], "b" = [] } }',
    );
    assert.equal(a.allowOperation('p', 'update', { a: 'y', b: 'anything' }).allowed, true);
    assert.equal(a.allowOperation('p', 'update', { a: 'z' }).allowed, false);
  });

  it('globbedStringsMatch', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*', '*', true],
      ['*', 'x', false],
      ['', '', true],
      ['a*', 'abc', true],
      ['*c', 'abc', true],
      ['*b*', 'abc', true],
      ['**', 'x', true],
      ['abc', 'abc', true],
      ['abc', 'abcd', false],
    ];
    for (const [item, val, want] of cases)
      assert.equal(globbedStringsMatch(item, val), want, `${item} ${val}`);
  });
});

describe('resultant', () => {
  it('lists exact and wildcard rules', () => {
    const a = acl(
      'path "a/b" { capabilities = ["read"]\n max_wrapping_ttl = "1h" }\npath "c/*" { capabilities = ["list"] }',
      'path "d/+/e" { capabilities = ["update"]\n required_parameters = ["x"] }\npath "f/+/*" { capabilities = ["deny"] }',
    );
    assert.deepEqual(a.resultant(), {
      exact_paths: { 'a/b': { capabilities: ['read'], max_wrapping_ttl: 3600 } },
      glob_paths: {
        'c/': { capabilities: ['list'] },
        'd/+/e': { capabilities: ['update'], required_parameters: ['x'] },
        'f/+/*': { capabilities: ['deny'] },
      },
      root: false,
    });
  });
});
