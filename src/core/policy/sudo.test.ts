import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Operation } from '../../sdk/request.ts';
import { isSudoPath, SUDO_PATHS } from './sudo.ts';

it("knows Vault's root-protected paths", () => {
  const cases: Array<[string, Operation | undefined, boolean]> = [
    ['sys/audit', 'read', true],
    ['sys/audit/file', 'update', true],
    ['sys/auth/userpass', 'update', true],
    ['sys/auth/userpass/tune', 'update', true],
    ['sys/auth', 'read', false],
    ['sys/remount', 'update', true],
    ['sys/rotate', 'update', true],
    ['sys/seal', 'update', true],
    ['sys/step-down', 'update', true],
    ['sys/raw/core/mounts', 'read', true],
    ['sys/leases/lookup/aws/creds', 'list', true],
    ['sys/leases/lookup', 'list', true],
    ['sys/leases/lookup', 'update', false],
    ['sys/leases/revoke-prefix/aws', 'update', true],
    ['sys/leases/revoke-force/aws', 'update', true],
    ['sys/revoke-prefix/aws', 'update', true],
    ['sys/revoke-force/aws', 'update', true],
    ['sys/leases/revoke', 'update', false],
    ['sys/config/auditing/request-headers/x', 'update', true],
    ['sys/plugins/catalog/database/x', 'update', true],
    ['sys/internal/inspect/router', 'read', true],
    ['auth/token/accessors', 'list', true],
    ['auth/token/accessors/', 'list', true],
    ['auth/token/revoke-orphan', 'update', true],
    ['auth/token/revoke-orphan/x', 'update', true],
    ['auth/token/revoke', 'update', false],
    ['auth/token/create', 'update', false],
    ['sys/mounts', 'read', false],
    ['sys/policy/x', 'update', false],
    ['secret/data/x', 'read', false],
    ['/sys/seal', undefined, true],
    ['sys/sealed', 'read', false],
  ];
  for (const [path, op, want] of cases) assert.equal(isSudoPath(path, op), want, `${path} ${op}`);
});

it('documents every entry', () => {
  for (const e of SUDO_PATHS) {
    assert.ok(e.why.length > 5, e.pattern);
    assert.ok(!e.pattern.startsWith('/'), e.pattern);
  }
});
