/** `import { Coffer } from 'coffer/client'` — the typed HTTP client of Coffer (and Vault). */

export { AuditApi } from './audit.ts';
export { AuthApi } from './auth.ts';
export type { ApiResponse, CofferOptions, QueryValue, RequestOptions } from './coffer.ts';
export { Coffer } from './coffer.ts';
export { CofferApiError, CofferConnectionError, CofferResponseError } from './errors.ts';
export { kvV2Path, MERGE_PATCH } from './kv.ts';
export type {
  IrrevocableLease,
  IrrevocableLeases,
  LeaseCount,
  LeaseLookup,
} from './leases.ts';
export { LeasesApi } from './leases.ts';
export { LoginApi } from './login.ts';
export { PasswordPoliciesApi } from './password-policies.ts';
export { encodePath, joinPath } from './paths.ts';
export { PoliciesApi } from './policies.ts';
export { SysApi } from './sys.ts';
export { TokenApi } from './token.ts';
export type * from './types.ts';
export { WrappingApi } from './wrapping.ts';
