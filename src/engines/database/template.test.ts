import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mysqlDialect, postgresDialect, renderStatement, splitStatements } from './template.ts';

describe('renderStatement', () => {
  const evil = {
    name: 'x"; DROP ROLE postgres; --',
    password: "a'b; DROP TABLE t; --",
    expiration: '2030-01-01',
  };
  const cases: Array<[string, string, Record<string, string>, string]> = [
    [
      'pg quoted',
      `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
      evil,
      `CREATE ROLE "x""; DROP ROLE postgres; --" WITH LOGIN PASSWORD 'a''b; DROP TABLE t; --' VALID UNTIL '2030-01-01';`,
    ],
    [
      'pg unquoted',
      'CREATE ROLE {{name}} PASSWORD {{password}};',
      evil,
      `CREATE ROLE "x""; DROP ROLE postgres; --" PASSWORD 'a''b; DROP TABLE t; --';`,
    ],
    ['username alias', 'DROP ROLE IF EXISTS "{{username}}";', { name: 'a"b' }, 'DROP ROLE IF EXISTS "a""b";'],
    [
      'doubled quote stays inside',
      `COMMENT ON ROLE "{{name}}" IS 'it''s {{name}}';`,
      { name: "o'k" },
      `COMMENT ON ROLE "o'k" IS 'it''s o''k';`,
    ],
  ];
  for (const [title, template, values, want] of cases) {
    it(title, () => assert.equal(renderStatement(template, values, postgresDialect), want));
  }
  it('mysql escapes backslashes in literals and backquotes', () => {
    assert.equal(
      renderStatement(
        "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';",
        { name: "a'b", password: "p\\'q" },
        mysqlDialect,
      ),
      "CREATE USER 'a''b'@'%' IDENTIFIED BY 'p\\\\''q';",
    );
    assert.equal(
      renderStatement('GRANT SELECT ON `{{name}}`.* TO x;', { name: 'a`b' }, mysqlDialect),
      'GRANT SELECT ON `a``b`.* TO x;',
    );
  });
  it('refuses NUL, missing values and unterminated quotes', () => {
    assert.throws(() => renderStatement('"{{name}}"', { name: 'a\0b' }, postgresDialect), /NUL/);
    assert.throws(() => renderStatement('"{{name}}"', {}, postgresDialect), /no value/);
    assert.throws(() => renderStatement(`'{{password}}`, { password: 'x' }, postgresDialect), /unterminated/);
  });
});

it('splitStatements splits on ; outside quotes', () => {
  assert.deepEqual(splitStatements([`CREATE ROLE "a;b"; GRANT x TO "a;b";`, 'SELECT 1']), [
    'CREATE ROLE "a;b"',
    'GRANT x TO "a;b"',
    'SELECT 1',
  ]);
});
