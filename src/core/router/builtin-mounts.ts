import type { MountEntry } from './mount-table.ts';

/** Built-in mounts every server has; they cannot be disabled or moved. */
export function builtinMounts(): MountEntry[] {
  const base = { description: '', options: {}, local: false, seal_wrap: false, builtin: true };
  const config = { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false };
  return [
    {
      ...base,
      path: 'sys/',
      type: 'system',
      description: 'system endpoints used for control, policy and debugging',
      accessor: 'system_00000000',
      uuid: '00000000-0000-0000-0000-000000000000',
      config,
      seal_wrap: true,
    },
    {
      ...base,
      path: 'cubbyhole/',
      type: 'cubbyhole',
      description: 'per-token private secret storage',
      accessor: 'cubbyhole_00000001',
      uuid: '00000000-0000-0000-0000-000000000001',
      config,
      local: true,
    },
    {
      ...base,
      path: 'identity/',
      type: 'identity',
      description: 'identity store',
      accessor: 'identity_00000002',
      uuid: '00000000-0000-0000-0000-000000000002',
      config,
    },
    {
      ...base,
      path: 'auth/token/',
      type: 'token',
      description: 'token based credentials',
      accessor: 'auth_token_00000003',
      uuid: '00000000-0000-0000-0000-000000000003',
      config,
      table: 'auth',
    },
  ];
}
