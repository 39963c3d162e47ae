import {
  type BackendDefinition,
  type BackendFactory,
  createBackend,
  defineBackend,
} from '../../sdk/index.ts';
import { loginPath } from './login.ts';
import { type Argon2Params, PasswordHasher } from './password.ts';
import { userPaths } from './users.ts';

export { type Argon2Params, DEFAULT_ARGON2, PasswordHasher, type StoredPassword } from './password.ts';
export type { UserEntry } from './users.ts';

export interface UserpassOptions {
  /** Argon2id cost (tests use a cheap one); default OWASP's 19 MiB / 2 passes / 1 lane. */
  argon2?: Partial<Argon2Params>;
}

/** The userpass path table. */
export function userpassBackend(options: UserpassOptions = {}): BackendDefinition {
  const hasher = new PasswordHasher(options.argon2);
  return defineBackend({
    type: 'userpass',
    description: 'Username and password authentication',
    paths: [...userPaths(hasher), loginPath(hasher)],
    help:
      'The userpass auth method logs users in with a username and a password. Passwords are stored ' +
      'as Argon2id hashes with a per-user salt; usernames are case-insensitive.',
  });
}

export function createUserpassFactory(options: UserpassOptions = {}): BackendFactory {
  return (env) => createBackend(userpassBackend(options), env);
}

/** Mount type `userpass`. */
export const userpassFactory: BackendFactory = createUserpassFactory();
