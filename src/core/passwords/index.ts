export { generate, MAX_ATTEMPTS, type RandomInt, satisfies } from './generate.ts';
export { type PasswordPolicyPathDeps, passwordPolicyPaths } from './paths.ts';
export {
  type CharsetRule,
  distinctChars,
  MAX_LENGTH,
  MIN_LENGTH,
  type PasswordPolicy,
  parsePasswordPolicy,
} from './policy.ts';
export { checkPolicyName, PasswordPolicyStore } from './store.ts';
