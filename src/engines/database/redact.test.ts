import assert from 'node:assert/strict';
import { it } from 'node:test';
import { redactConnectionURL } from './redact.ts';

it('masks a literal password in every connection_url form, keeps {{password}}', () => {
  const cases: Array<[unknown, unknown]> = [
    // URLs
    ['postgres://root:rootpw@h/db', 'postgres://root:*****@h/db'],
    ['postgresql://u:p@ss:w@h:5432/db?sslmode=disable', 'postgresql://u:*****@h:5432/db?sslmode=disable'],
    ['redis://u:pw@127.0.0.1:6379', 'redis://u:*****@127.0.0.1:6379'],
    ['rediss://:pw@h:6379/0', 'rediss://:*****@h:6379/0'],
    ['postgres://{{username}}:{{password}}@h/db', 'postgres://{{username}}:{{password}}@h/db'],
    ['postgres://u@h/db?x=a:b@c', 'postgres://u@h/db?x=a:b@c'],
    ['postgres://h/db', 'postgres://h/db'],
    // libpq key=value
    ['host=h user=u password=secret dbname=d', 'host=h user=u password=***** dbname=d'],
    ["host=h password='a b\\' c' port=5432", 'host=h password=***** port=5432'],
    ["host=h password='unterminated secret", 'host=h password=*****'],
    ['password = secret host=h', 'password = ***** host=h'],
    ['host=h sslpassword=keypw', 'host=h sslpassword=*****'],
    ['host=h password={{password}}', 'host=h password={{password}}'],
    ["host=h password='{{password}}'", "host=h password='{{password}}'"],
    // Go MySQL DSN
    ['u:secret@tcp(127.0.0.1:3306)/', 'u:*****@tcp(127.0.0.1:3306)/'],
    ['u:se:c@r/et@tcp(h:3306)/db?tls=true', 'u:*****@tcp(h:3306)/db?tls=true'],
    ['u:pw@unix(/run/mysqld/mysqld.sock)/db', 'u:*****@unix(/run/mysqld/mysqld.sock)/db'],
    ['{{username}}:{{password}}@tcp(h)/', '{{username}}:{{password}}@tcp(h)/'],
    ['u@tcp(h)/db', 'u@tcp(h)/db'],
    ['tcp(h)/db', 'tcp(h)/db'],
    // not a string: as stored
    [undefined, undefined],
  ];
  for (const [input, want] of cases) assert.equal(redactConnectionURL(input), want, String(input));
});
