export type { AclReason, AclResult } from './acl.ts';
export { ACL, comparePriority, globbedStringsMatch } from './acl.ts';
export { DEFAULT_POLICY_TEXT, RESPONSE_WRAPPING_POLICY_TEXT } from './builtin.ts';
export { LEGACY_POLICIES, normalizePolicyName, parsePolicy } from './parse.ts';
export type { PolicyPathDeps } from './paths.ts';
export { decodePolicyText, policyPaths } from './paths.ts';
export type { Capability, ParameterValues, PathRule, Policy } from './policy.ts';
export {
  CAPABILITIES,
  DEFAULT_POLICY_NAME,
  mergeRules,
  RESPONSE_WRAPPING_POLICY_NAME,
  ROOT_POLICY,
  ROOT_POLICY_NAME,
} from './policy.ts';
export { PolicyStore } from './store.ts';
export { isSudoPath, SUDO_PATHS } from './sudo.ts';
export type { TemplateIdentity } from './template.ts';
export { identityKey, renderTemplate } from './template.ts';
