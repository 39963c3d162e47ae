import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonLogger, silentLogger } from './logger.ts';

test('jsonLogger writes lines at or above its level and says which levels it writes', () => {
  const lines: string[] = [];
  const log = jsonLogger({ level: 'info', write: (l) => lines.push(l) });
  log.debug('hidden', { a: 1 });
  log.info('shown', { a: 2 });
  assert.equal(lines.length, 1);
  assert.equal(JSON.parse(lines[0]!).msg, 'shown');
  assert.equal(log.enabled?.('debug'), false);
  assert.equal(log.enabled?.('info'), true);
  assert.equal(log.enabled?.('error'), true);
  const child = log.child({ component: 'x' });
  assert.equal(child.enabled?.('debug'), false);
  assert.equal(jsonLogger({ level: 'debug', write: () => {} }).enabled?.('debug'), true);
  assert.equal(silentLogger.enabled?.('error'), false);
});
