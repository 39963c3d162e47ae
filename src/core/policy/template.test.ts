import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACL } from './acl.ts';
import { parsePolicy } from './parse.ts';
import { identityKey, renderTemplate, type TemplateIdentity } from './template.ts';

const alice: TemplateIdentity = {
  entity: {
    id: 'ent-123',
    name: 'alice',
    metadata: { team: 'payments', evil: 'x*', slash: 'a/b', plus: 'a+b', empty: '' },
    aliases: [
      { mountAccessor: 'auth_userpass_1', name: 'alice-up', id: 'alias-9', metadata: { region: 'eu' } },
    ],
  },
  groups: [
    { id: 'grp-1', name: 'ops', metadata: { tier: 'gold' } },
    { id: 'grp-2', name: 'dev' },
  ],
};

describe('renderTemplate', () => {
  const cases: Array<[string, string | undefined]> = [
    ['secret/{{identity.entity.id}}/*', 'secret/ent-123/*'],
    ['secret/{{ identity.entity.name }}', 'secret/alice'],
    ['secret/{{identity.entity.metadata.team}}/x', 'secret/payments/x'],
    ['a/{{identity.entity.aliases.auth_userpass_1.name}}', 'a/alice-up'],
    ['a/{{identity.entity.aliases.auth_userpass_1.id}}', 'a/alias-9'],
    ['a/{{identity.entity.aliases.auth_userpass_1.metadata.region}}', 'a/eu'],
    ['g/{{identity.groups.ids.grp-1.name}}', 'g/ops'],
    ['g/{{identity.groups.names.dev.id}}', 'g/grp-2'],
    ['g/{{identity.groups.ids.grp-1.metadata.tier}}', 'g/gold'],
    ['{{identity.entity.name}}/{{identity.entity.id}}', 'alice/ent-123'],
    ['no/template', 'no/template'],
    // missing values drop the rule
    ['secret/{{identity.entity.metadata.nope}}', undefined],
    ['a/{{identity.entity.aliases.auth_other.name}}', undefined],
    ['g/{{identity.groups.ids.grp-404.name}}', undefined],
    ['g/{{identity.groups.names.ops.name.extra}}', undefined],
    ['x/{{identity.entity.unknown}}', undefined],
    ['x/{{entity.id}}', undefined],
    ['x/{{identity.entity.metadata.__proto__}}', undefined],
    // malformed
    ['x/{{identity.entity.id', undefined],
    ['x/identity.entity.id}}', undefined],
    ['x/{{{{identity.entity.id}}}}', undefined],
    // injection refused: a value may not widen or move the path
    ['secret/{{identity.entity.metadata.evil}}', undefined],
    ['secret/{{identity.entity.metadata.slash}}', undefined],
    ['secret/{{identity.entity.metadata.plus}}', undefined],
    ['secret/{{identity.entity.metadata.empty}}*', undefined],
  ];
  for (const [path, want] of cases) {
    it(`${path} → ${want ?? '(dropped)'}`, () => assert.equal(renderTemplate(path, alice), want));
  }
  it('without an identity every template is missing', () => {
    assert.equal(renderTemplate('secret/{{identity.entity.id}}', undefined), undefined);
    assert.equal(renderTemplate('secret/{{identity.entity.id}}', { groups: [] }), undefined);
    assert.equal(renderTemplate('plain', undefined), 'plain');
  });
});

describe('templated policies in an ACL', () => {
  const p = parsePolicy(
    'per-user',
    `path "secret/data/{{identity.entity.name}}/*" { capabilities = ["read", "update"] }
     path "secret/data/{{identity.entity.metadata.evil}}" { capabilities = ["read"] }
     path "team/{{identity.groups.names.ops.id}}/+" { capabilities = ["list"] }
     path "shared/*" { capabilities = ["read"] }`,
  );

  it('renders paths for the identity', () => {
    const a = ACL.compile([p], alice);
    assert.equal(a.allowOperation('secret/data/alice/x', 'update').allowed, true);
    assert.equal(a.allowOperation('secret/data/bob/x', 'read').allowed, false);
    // A LIST is matched with a trailing slash (Vault): team/grp-1/ is team/grp-1/+ with an empty `+`.
    assert.equal(a.allowOperation('team/grp-1', 'list').allowed, true);
    assert.equal(a.allowOperation('team/grp-1/y', 'list').allowed, false);
    assert.equal(a.allowOperation('shared/z', 'read').allowed, true);
  });

  it('drops a rule whose value would inject a glob', () => {
    const a = ACL.compile([p], alice);
    // `x*` would have granted secret/data/x-anything
    assert.equal(a.allowOperation('secret/data/x', 'read').allowed, false);
    assert.equal(a.allowOperation('secret/data/xyz', 'read').allowed, false);
    assert.deepEqual(Object.keys(a.resultant().exact_paths), []);
  });

  it('drops templated rules without an identity and keeps the rest', () => {
    const a = ACL.compile([p]);
    assert.deepEqual(Object.keys(a.resultant().glob_paths), ['shared/']);
  });

  it('merges a rendered path with the same literal path', () => {
    const literal = parsePolicy('lit', 'path "secret/data/alice/*" { capabilities = ["deny"] }');
    assert.deepEqual(ACL.compile([p, literal], alice).capabilities('secret/data/alice/x'), ['deny']);
  });

  it('identityKey is stable under metadata order and differs per identity', () => {
    const a: TemplateIdentity = {
      entity: { id: '1', name: 'n', metadata: { a: '1', b: '2' }, aliases: [] },
      groups: [],
    };
    const b: TemplateIdentity = {
      entity: { id: '1', name: 'n', metadata: { b: '2', a: '1' }, aliases: [] },
      groups: [],
    };
    assert.equal(identityKey(a), identityKey(b));
    assert.notEqual(identityKey(a), identityKey({ ...a, groups: [{ id: 'g', name: 'g' }] }));
    assert.equal(identityKey(undefined), '');
  });
});
