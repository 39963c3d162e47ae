import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { withLock } from './lock.ts';

describe('withLock', () => {
  it('runs holders of one key one at a time, in order, even when one throws', async () => {
    const scope = {};
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) =>
      withLock(scope, 'k', async () => {
        log.push(`${name}>`);
        await sleep(ms);
        log.push(`<${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task('a', 5), task('b', 1, true), task('c', 1)]);
    assert.deepEqual(log, ['a>', '<a', 'b>', '<b', 'c>', '<c']);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
  });

  it('does not serialize different keys or scopes', async () => {
    const log: string[] = [];
    const scope = {};
    const hold = (s: object, key: string, name: string) =>
      withLock(s, key, async () => {
        log.push(`${name}>`);
        await sleep(5);
        log.push(`<${name}`);
      });
    await Promise.all([hold(scope, 'a', '1'), hold(scope, 'b', '2'), hold({}, 'a', '3')]);
    assert.deepEqual(log.slice(0, 3), ['1>', '2>', '3>']);
  });
});
