import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readTokenFile, tokenFilePath, writeTokenFile } from './token-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'coffer-token-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('path: COFFER_TOKEN_FILE, else ~/.coffer-token', () => {
  assert.equal(tokenFilePath({ COFFER_TOKEN_FILE: '/x/t', HOME: '/home/u' }), '/x/t');
  assert.equal(tokenFilePath({ HOME: '/home/u' }), '/home/u/.coffer-token');
});

test('missing file reads as undefined', async () => {
  assert.equal(await readTokenFile({ COFFER_TOKEN_FILE: join(dir, 'none') }), undefined);
});

test('write with mode 0600, read back trimmed', async () => {
  const env = { COFFER_TOKEN_FILE: join(dir, 'token') };
  writeFileSync(env.COFFER_TOKEN_FILE, 'old', { mode: 0o644 });
  await writeTokenFile(env, 's.abc');
  assert.equal(statSync(env.COFFER_TOKEN_FILE).mode & 0o777, 0o600);
  writeFileSync(env.COFFER_TOKEN_FILE, '  s.abc\n');
  assert.equal(await readTokenFile(env), 's.abc');
});
