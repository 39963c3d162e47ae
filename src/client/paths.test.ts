import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiPath, encodePath, joinPath } from './paths.ts';

test('joinPath', () => {
  const cases: [string[], string][] = [
    [['secret', 'data', 'a/b'], 'secret/data/a/b'],
    [['secret/', 'data', '/a/b'], 'secret/data/a/b'],
    [['secret/', 'metadata', 'a/'], 'secret/metadata/a/'],
    [['secret/', 'metadata', ''], 'secret/metadata'],
    [['', ''], ''],
  ];
  for (const [parts, want] of cases) assert.equal(joinPath(...parts), want, parts.join(','));
});

test('encodePath keeps slashes and encodes segments', () => {
  assert.equal(encodePath('a b/c?d/é'), 'a%20b/c%3Fd/%C3%A9');
});

test('apiPath strips a leading /v1/', () => {
  assert.equal(apiPath('/v1/sys/health'), 'sys/health');
  assert.equal(apiPath('v1/sys/health'), 'sys/health');
  assert.equal(apiPath('//secret/x'), 'secret/x');
});
