import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, redact } from './redact.ts';

test('redact: secret fields at any depth lose their values, the rest stays', () => {
  const answer = {
    request_id: 'r-1',
    data: { username: 'v-app-1', password: 'Pw-1234567890', keys: ['k1', 'k2'] },
    auth: { client_token: 'abc', accessor: 'acc', policies: ['default'], metadata: { role: 'x' } },
    wrap_info: { token: 'wrap', ttl: 60 },
    list: [{ secret_id: 'sid', secret_id_accessor: 'sida', ttl: 0 }],
    errors: [],
  };
  const shown = JSON.parse(redact(JSON.stringify(answer)));
  assert.deepEqual(shown, {
    request_id: 'r-1',
    data: { username: 'v-app-1', password: REDACTED, keys: REDACTED },
    auth: { client_token: REDACTED, accessor: REDACTED, policies: ['default'], metadata: { role: 'x' } },
    wrap_info: { token: REDACTED, ttl: 60 },
    list: [{ secret_id: REDACTED, secret_id_accessor: REDACTED, ttl: 0 }],
    errors: [],
  });
});

test('redact: tokens are cut out of any text, JSON or not', () => {
  const id = `hvs.${'A1b2_C3-'.repeat(3)}`;
  const batch = 'hvb.Zz09';
  for (const text of [
    `permission denied for ${id}`,
    JSON.stringify({ data: { id, note: `child of ${batch}` } }),
    `<html>${id}</html>`,
  ]) {
    const shown = redact(text);
    assert.ok(!shown.includes(id.slice(4)), shown);
    assert.ok(!shown.includes('Zz09'), shown);
    assert.ok(shown.includes(`hvs.${REDACTED}`), shown);
  }
});

test('redact: empty values and non-JSON text without tokens come back as they were', () => {
  assert.equal(redact(''), '');
  assert.equal(redact('upstream timed out'), 'upstream timed out');
  assert.equal(
    redact('{"auth":{"client_token":""},"token":null}'),
    '{"auth":{"client_token":""},"token":null}',
  );
});
