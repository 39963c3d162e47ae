import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ancestors, closesCycle } from './graph.ts';

// a ← b ← c (a lists b, b lists c), d lists c too.
const children: Record<string, string[]> = { a: ['b'], b: ['c'], d: ['c'], c: [] };
const parents: Record<string, string[]> = { b: ['a'], c: ['b', 'd'] };
const kids = (g: string) => children[g] ?? [];
const ups = (g: string) => parents[g] ?? [];

it('collects ancestors transitively, each once, without the start', () => {
  assert.deepEqual(ancestors(['c'], ups), ['b', 'd', 'a']);
  assert.deepEqual(ancestors(['a'], ups), []);
  assert.deepEqual(ancestors(['c', 'b'], ups), ['d', 'a']);
});

it('finds the member that would close a cycle', () => {
  assert.equal(closesCycle('c', ['a'], kids), 'a');
  assert.equal(closesCycle('a', ['a'], kids), 'a');
  assert.equal(closesCycle('b', ['d', 'c'], kids), undefined);
  assert.equal(closesCycle('x', ['a', 'd'], kids), undefined);
});
