import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration, parseMysqlDsn } from './dsn.ts';

describe('parseMysqlDsn', () => {
  it('parses Vault form with placeholders filled after parsing', () => {
    const d = parseMysqlDsn(
      '{{username}}:{{password}}@tcp(db.example:3307)/app?tls=skip-verify',
      'vault',
      'p@ss:/w',
    );
    assert.deepEqual(d, {
      user: 'vault',
      password: 'p@ss:/w',
      host: 'db.example',
      port: 3307,
      database: 'app',
      tls: 'skip-verify',
    });
  });

  const cases: Array<[string, Partial<ReturnType<typeof parseMysqlDsn>>]> = [
    [
      'root:@tcp(127.0.0.1:3306)/',
      { user: 'root', password: '', host: '127.0.0.1', port: 3306, database: '' },
    ],
    ['root@tcp(localhost)/', { user: 'root', password: '', host: 'localhost', port: 3306 }],
    ['u:p@/db', { user: 'u', password: 'p', host: '127.0.0.1', port: 3306, database: 'db' }],
    ['/', { user: '', password: '', host: '127.0.0.1' }],
    ['u:p@tcp([::1]:3310)/', { host: '::1', port: 3310 }],
    ['u:p@unix(/run/mysqld/mysqld.sock)/x', { socketPath: '/run/mysqld/mysqld.sock', database: 'x' }],
    ['u:a:b@c@tcp(h:1)/', { user: 'u', password: 'a:b@c', host: 'h', port: 1 }],
    ['u:p@tcp(h:1)/?parseTime=true&charset=utf8mb4,utf8&timeout=5s', { charset: 'utf8mb4', timeoutMs: 5000 }],
  ];
  for (const [dsn, want] of cases) {
    it(`parses ${dsn}`, () => {
      const got = parseMysqlDsn(dsn) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, k);
    });
  }

  const bad = [
    'u:p@tcp(h:1)',
    'u:p@tcp(h:99999)/',
    'u:p@udp(h:1)/',
    'u:p@tcp(h:1)/?tls=custom',
    'u:p@tcp(h:1)/?bogus=1',
    'u:p@tcp(h:1)/?timeout=5x',
  ];
  for (const dsn of bad) {
    it(`refuses ${dsn} without echoing the DSN`, () => {
      assert.throws(
        () => parseMysqlDsn(dsn),
        (e: Error) => e.name === 'BadRequestError' && !e.message.includes('u:p'),
      );
    });
  }

  it('refuses a placeholder with no value, and never URL-decodes credentials', () => {
    assert.throws(() => parseMysqlDsn('{{username}}:{{password}}@tcp(h:1)/', 'u'), /password is not set/);
    assert.equal(parseMysqlDsn('u:%41@tcp(h:1)/').password, '%41');
  });

  it('parses Go durations', () => {
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('250ms'), 250);
    assert.equal(parseGoDuration('1.5s'), 1500);
  });
});
