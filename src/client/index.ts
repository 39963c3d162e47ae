/** `import { Coffer } from 'coffer/client'` — the typed HTTP client of Coffer (and Vault). */
export type { ApiResponse, CofferOptions, QueryValue, RequestOptions } from './coffer.ts';
export { Coffer } from './coffer.ts';
export { CofferApiError, CofferConnectionError } from './errors.ts';
export { kvV2Path, MERGE_PATCH } from './kv.ts';
export { encodePath, joinPath } from './paths.ts';
export { SysApi } from './sys.ts';
export type * from './types.ts';
