import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../sdk/errors.ts';
import { DEFAULT_POLICY_TEXT, RESPONSE_WRAPPING_POLICY_TEXT } from './builtin.ts';
import { normalizePolicyName, parsePolicy } from './parse.ts';
import type { PathRule } from './policy.ts';

const rules = (text: string): PathRule[] => [...parsePolicy('p', text).paths];

describe('parsePolicy: valid', () => {
  const cases: Array<[string, string, PathRule[]]> = [
    [
      'capabilities',
      'path "secret/*" { capabilities = ["read", "list", "read"] }',
      [{ path: 'secret/*', capabilities: ['list', 'read'] }],
    ],
    [
      'leading slash dropped',
      'path "/secret/foo" { capabilities = ["update"] }',
      [{ path: 'secret/foo', capabilities: ['update'] }],
    ],
    [
      'deny leaves only deny',
      'path "a" { capabilities = ["read", "deny", "sudo"] }',
      [{ path: 'a', capabilities: ['deny'] }],
    ],
    ['legacy read', 'path "a" { policy = "read" }', [{ path: 'a', capabilities: ['list', 'read'] }]],
    [
      'legacy write (no patch, as Vault)',
      'path "a" { policy = "write" }',
      [{ path: 'a', capabilities: ['create', 'delete', 'list', 'read', 'update'] }],
    ],
    [
      'legacy sudo',
      'path "a" { policy = "sudo" }',
      [{ path: 'a', capabilities: ['create', 'delete', 'list', 'read', 'sudo', 'update'] }],
    ],
    ['legacy deny', 'path "a" { policy = "deny" }', [{ path: 'a', capabilities: ['deny'] }]],
    [
      'legacy and capabilities together',
      'path "a" {\n policy = "read"\n capabilities = ["patch"]\n}',
      [{ path: 'a', capabilities: ['list', 'patch', 'read'] }],
    ],
    [
      'same path twice merges',
      'path "a" { capabilities = ["read"] }\npath "b" { capabilities = ["list"] }\npath "a" { capabilities = ["update"] }',
      [
        { path: 'a', capabilities: ['read', 'update'] },
        { path: 'b', capabilities: ['list'] },
      ],
    ],
    [
      'same path twice, deny wins',
      'path "a" { capabilities = ["read"] }\npath "a" { capabilities = ["deny"] }',
      [{ path: 'a', capabilities: ['deny'] }],
    ],
    [
      'parameters and wrapping TTLs',
      `path "secret/foo" {
        capabilities = ["create"]
        allowed_parameters = { "Color" = ["red", "blu*"], "size" = [] }
        denied_parameters { "admin" = [] }
        required_parameters = ["Color"]
        min_wrapping_ttl = "1m"
        max_wrapping_ttl = 3600
        comment = "who may write foo"
      }`,
      [
        {
          path: 'secret/foo',
          capabilities: ['create'],
          allowedParameters: { color: ['red', 'blu*'], size: [] },
          deniedParameters: { admin: [] },
          requiredParameters: ['color'],
          minWrappingTTL: 60,
          maxWrappingTTL: 3600,
        },
      ],
    ],
    [
      'JSON form',
      JSON.stringify({
        path: {
          'secret/*': { capabilities: ['read'] },
          'secret/foo': { capabilities: ['create'], allowed_parameters: { x: ['1'] } },
        },
      }),
      [
        { path: 'secret/*', capabilities: ['read'] },
        { path: 'secret/foo', capabilities: ['create'], allowedParameters: { x: ['1'] } },
      ],
    ],
    [
      'JSON list form',
      '{"path": [{"a": {"capabilities": ["read"]}}, {"a": {"capabilities": ["list"]}}]}',
      [{ path: 'a', capabilities: ['list', 'read'] }],
    ],
    [
      'name key accepted and ignored',
      'name = "other"\npath "a" { capabilities = [] }',
      [{ path: 'a', capabilities: [] }],
    ],
    ['empty policy', '# nothing\n', []],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => assert.deepEqual(rules(text), want));
  }

  it('lower-cases the name and marks templated policies', () => {
    const p = parsePolicy('Dev-Team', 'path "secret/{{identity.entity.id}}/*" { capabilities = ["read"] }');
    assert.equal(p.name, 'dev-team');
    assert.equal(p.templated, true);
    assert.equal(parsePolicy('x', 'path "a" { capabilities = ["read"] }').templated, false);
  });

  it('parses the built-in policies', () => {
    const d = parsePolicy('default', DEFAULT_POLICY_TEXT);
    assert.ok(d.paths.some((r) => r.path === 'auth/token/lookup-self'));
    assert.ok(d.templated);
    assert.equal(parsePolicy('response-wrapping', RESPONSE_WRAPPING_POLICY_TEXT).paths.length, 2);
  });
});

describe('parsePolicy: invalid', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'unknown capability',
      'path "a" {\n  capabilities = ["read", "reed"]\n}',
      /^failed to parse policy: line 2, column 27: path "a": invalid capability "reed"$/,
    ],
    ['root is not a capability', 'path "a" { capabilities = ["root"] }', /invalid capability "root"/],
    [
      'bad HCL with its position',
      'path "a" {\n  capabilities = ["read"]\n  policy "x"\n}',
      /^failed to parse policy: line 3, column \d+: /,
    ],
    [
      'bad JSON with its position',
      '{\n  "path": {\n    "a": ,\n  }\n}',
      /^failed to parse policy: line 3, column 10: /,
    ],
    [
      'unknown top-level key with a hint',
      'pth "a" { capabilities = ["read"] }',
      /^failed to parse policy: line 1, column 1: unknown key "pth" \(did you mean "path"\?\)$/,
    ],
    [
      'unknown path key',
      'path "a" {\n  capabilites = ["read"]\n}',
      /line 2, column 3: path "a": unknown key "capabilites" \(did you mean "capabilities"\?\)/,
    ],
    ['enterprise key', 'path "a" { mfa_methods = ["x"] }', /"mfa_methods" is not supported/],
    ['bad legacy policy', 'path "a" { policy = "admin" }', /path "a": invalid policy "admin"/],
    ['capabilities not a list', 'path "a" { capabilities = "read" }', /"capabilities" must be a list/],
    ['capabilities twice', 'path "a" {\ncapabilities = []\ncapabilities = []\n}', /is set twice/],
    ['path without a label', 'path { capabilities = [] }', /needs exactly one label/],
    ['empty path', 'path "" { capabilities = [] }', /must not be empty/],
    ['bad duration', 'path "a" { min_wrapping_ttl = "soon" }', /"min_wrapping_ttl" must be a duration/],
    [
      'max below min',
      'path "a" {\nmin_wrapping_ttl = "1h"\nmax_wrapping_ttl = "1m"\n}',
      /line 3, column 1: path "a": max_wrapping_ttl cannot be less than min_wrapping_ttl/,
    ],
    ['parameters not an object', 'path "a" { allowed_parameters = ["x"] }', /must be an object/],
    ['required not strings', 'path "a" { required_parameters = [1] }', /must be a list of strings/],
    ['JSON not an object', '["path"]', /a JSON policy must be an object/],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => {
      assert.throws(
        () => parsePolicy('p', text),
        (err: unknown) => err instanceof BadRequestError && err.status === 400 && want.test(err.message),
      );
    });
  }
});

describe('policy names', () => {
  it('are trimmed and lower-cased', () => assert.equal(normalizePolicyName(' Ops.Team_1 '), 'ops.team_1'));
  for (const bad of ['', 'a b', 'a/b', 'ü', 'x'.repeat(129), '../x']) {
    it(`refuses ${JSON.stringify(bad.slice(0, 10))}`, () =>
      assert.throws(() => normalizePolicyName(bad), BadRequestError));
  }
});
