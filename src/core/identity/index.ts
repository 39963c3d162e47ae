export { type IdentityPathDeps, identityBackendDefinition } from './paths.ts';
export type { MountLookup } from './shapes.ts';
export { IdentityStore, type IdentityStoreDeps } from './store.ts';
export type * from './types.ts';
