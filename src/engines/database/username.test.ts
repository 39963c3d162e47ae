import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateUsername, renderUsernameTemplate, sanitizeDisplayName } from './username.ts';

const inp = {
  displayName: 'userpass-Alice',
  roleName: 'readonly.role',
  now: new Date(1_700_000_000_123),
  random: (n: number) => Buffer.alloc(n, 0), // always 'a'
};

describe('username templates', () => {
  const cases: [string, string][] = [
    ['{{.DisplayName}}', 'userpass-Alice'],
    ['{{ .RoleName }}', 'readonly.role'],
    ['{{random 5}}', 'aaaaa'],
    ['{{unix_time}}', '1700000000'],
    ['{{unix_time_millis}}', '1700000000123'],
    ['x-{{.DisplayName | truncate 8}}', 'x-userpass'],
    ['{{.DisplayName|lowercase}}', 'userpass-alice'],
    ['{{.DisplayName | uppercase | truncate 3}}', 'USE'],
    ['{{.RoleName | replace "." "_"}}', 'readonly_role'],
    ['plain', 'plain'],
  ];
  for (const [template, want] of cases) {
    it(`${template} → ${want}`, () => assert.equal(renderUsernameTemplate(template, inp), want));
  }
  const bad = [
    '{{.Nope}}',
    '{{random}}',
    '{{random 0}}',
    '{{.RoleName | frob}}',
    '{{unix_time',
    '{{.RoleName | replace "a"}}',
    '{{.RoleName 3}}',
  ];
  for (const template of bad) {
    it(`refuses ${template}`, () => assert.throws(() => renderUsernameTemplate(template, inp)));
  }

  it('default template: strips characters outside [A-Za-z0-9_-] and cuts to the plugin maximum', () => {
    const u = generateUsername(undefined, inp, 63);
    assert.equal(u, `v-userpass-readonly-${'a'.repeat(20)}-1700000000`);
    assert.equal(generateUsername(undefined, inp, 16), 'v-userpass-reado');
    assert.equal(generateUsername('a"b; c\'d', inp, 63), 'abcd');
    assert.throws(() => generateUsername('"";', inp, 63));
  });

  it('sanitizes display names', () => {
    assert.equal(sanitizeDisplayName('ldap-bob@corp'), 'ldap-bobcorp');
    assert.equal(sanitizeDisplayName(undefined), 'token');
    assert.equal(sanitizeDisplayName('"; --'), '--');
  });
});
