import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { asCofferError, errorCatalog, InternalError, NotFoundError } from './errors.ts';

it('every error code is documented in docs/errors.md with its status', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const cls of errorCatalog) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${cls.code}\` |`));
    assert.ok(row, `docs/errors.md lacks ${cls.code}`);
    assert.match(row, new RegExp(`\\| ${cls.status} \\|`), `${cls.code} documented with the wrong status`);
  }
});

it('codes are unique', () => {
  const codes = errorCatalog.map((c) => c.code);
  assert.equal(new Set(codes).size, codes.length);
});

it('5xx errors hide their message from clients', () => {
  assert.equal(new InternalError('db password is hunter2').publicMessage, 'internal error');
  assert.equal(asCofferError(new Error('boom')).status, 500);
  assert.equal(new NotFoundError().publicMessage, '');
});
