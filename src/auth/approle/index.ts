import {
  type BackendDefinition,
  type BackendFactory,
  createBackend,
  defineBackend,
} from '../../sdk/index.ts';
import { loginPath } from './login.ts';
import { rolePaths } from './roles.ts';
import { secretIdPaths } from './secret-ids.ts';
import { ApproleState } from './store.ts';
import { tidyPath } from './tidy.ts';

export { ApproleState, type RoleEntry, type SecretIdEntry } from './store.ts';
export { type TidyCounts, tidySecretIds } from './tidy.ts';

/** The AppRole path table (a fresh per-mount state: HMAC key cache and secret id locks). */
export function approleBackend(state: ApproleState = new ApproleState()): BackendDefinition {
  return defineBackend({
    type: 'approle',
    description: 'AppRole authentication: role id + secret id',
    paths: [...secretIdPaths(state), ...rolePaths(state), loginPath(state), tidyPath(state)],
    help:
      'The AppRole auth method logs machines in with a role id and a secret id. Secret ids are shown ' +
      'once; only an HMAC of each is stored. Secret ids can be limited in uses, lifetime and source CIDRs.',
  });
}

/** Mount type `approle`. */
export const approleFactory: BackendFactory = (env) => createBackend(approleBackend(), env);
