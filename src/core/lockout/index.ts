export {
  DEFAULT_LOCKOUT,
  LOCKOUT_MOUNT_TYPES,
  type LockoutConfig,
  lockoutTuneJSON,
  parseUserLockoutConfig,
  resolveLockoutConfig,
} from './config.ts';
export { type LockedUser, type LockoutDeps, LockoutManager } from './manager.ts';
export { lockedUsersJSON, lockoutPaths } from './paths.ts';
