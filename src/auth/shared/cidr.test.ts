import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidFieldError } from '../../sdk/index.ts';
import { KeyedLock } from '../../sdk/keyed-lock.ts';
import { addressAllowed, cidrsWithin, parseCidr, parseCidrList } from './cidr.ts';
import { authDisplayName } from './display-name.ts';

describe('cidr', () => {
  it('parses blocks and bare addresses', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseCidr('::1'), { address: '::1', prefix: 128, family: 'ipv6' });
    for (const bad of ['', '10.0.0.0/33', '10.0.0/8', 'abc', '1.2.3.4/8/9', '::1/129', '1.2.3.4/x']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
    assert.throws(() => parseCidrList('cidr_list', ['1.2.3.4/40']), InvalidFieldError);
    assert.deepEqual(parseCidrList('x', [' 1.2.3.4/32 ', '']), ['1.2.3.4/32']);
  });

  const cases: Array<[string, string[], boolean]> = [
    ['127.0.0.1', [], true],
    ['127.0.0.1', ['127.0.0.0/8'], true],
    ['::ffff:127.0.0.1', ['127.0.0.0/8'], true],
    ['10.1.2.3', ['127.0.0.0/8'], false],
    ['10.1.2.3', ['127.0.0.0/8', '10.1.2.3'], true],
    ['::1', ['::1/128'], true],
    ['::2', ['::1/128'], false],
    ['', ['0.0.0.0/0'], false],
    ['not-an-ip', ['0.0.0.0/0'], false],
  ];
  for (const [addr, cidrs, want] of cases) {
    it(`${addr || '(none)'} in [${cidrs.join(', ')}] → ${want}`, () => {
      assert.equal(addressAllowed(addr, cidrs), want);
    });
  }

  it('checks that blocks lie inside others', () => {
    assert.equal(cidrsWithin(['10.1.0.0/16', '10.2.3.4'], ['10.0.0.0/8']), true);
    assert.equal(cidrsWithin(['10.0.0.0/7'], ['10.0.0.0/8']), false);
    assert.equal(cidrsWithin(['11.0.0.0/16'], ['10.0.0.0/8']), false);
    assert.equal(cidrsWithin([], ['10.0.0.0/8']), true);
  });
});

describe('authDisplayName', () => {
  it('prefixes the mount path as Vault does', () => {
    assert.equal(authDisplayName('auth/userpass/', 'alice'), 'userpass-alice');
    assert.equal(authDisplayName('auth/team/ops/', 'bob'), 'team-ops-bob');
    assert.equal(authDisplayName('auth/approle/'), 'approle');
  });
});

describe('KeyedLock', () => {
  it('serializes work per key and not across keys', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const step = (name: string, ms: number) => () =>
      new Promise<void>((r) => {
        log.push(`${name}+`);
        setTimeout(() => {
          log.push(`${name}-`);
          r();
        }, ms);
      });
    await Promise.all([
      lock.run('a', step('a1', 20)),
      lock.run('a', step('a2', 1)),
      lock.run('b', step('b1', 1)),
    ]);
    assert.deepEqual(log.slice(0, 3), ['a1+', 'b1+', 'b1-']);
    assert.ok(log.indexOf('a2+') > log.indexOf('a1-'));
    await assert.rejects(
      lock.run('a', async () => Promise.reject(new Error('x'))),
      /x/,
    );
    assert.equal(await lock.run('a', async () => 7), 7, 'a failure does not block the key');
    await new Promise((r) => setImmediate(r));
    assert.equal(lock.size, 0);
  });
});
