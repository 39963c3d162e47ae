/** Tier-1 harness for auth methods: the sdk's backend harness, mounted at `auth/<mount>/`. */
import type { BackendFactory } from '../../sdk/index.ts';
import { type BackendHarness, backendHarness } from '../../sdk/testing.ts';

export const START = Date.UTC(2024, 0, 2, 3, 4, 5, 0);

export type AuthHarness = BackendHarness;

export function authHarness(factory: BackendFactory, mount: string): Promise<AuthHarness> {
  return backendHarness({
    factory,
    mount: { path: `auth/${mount}/`, type: mount, accessor: `auth_${mount}_1234`, uuid: 'u-1' },
    start: START,
  });
}
