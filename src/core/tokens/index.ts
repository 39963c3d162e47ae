export { tokenBackendDefinition } from './backend.ts';
export { cidrAllows, parseCIDRs } from './cidr.ts';
export type { TokenPathDeps } from './deps.ts';
export { RoleStore, type RoleTokenType, type TokenRole } from './roles.ts';
export { authBlock, lookupData, remainingTTL, type TokenEntry, type TokenType } from './token-entry.ts';
export {
  type CreateTokenParams,
  generateTokenId,
  type TidyResult,
  TokenStore,
  type TokenStoreDeps,
} from './token-store.ts';
export type { TTLLimits } from './ttl.ts';
