export { type HeapItem, MinHeap } from './heap.ts';
export {
  indexKey,
  irrevocableJSON,
  type LeaseEntry,
  leaseKey,
  leaseTTLs,
  lookupJSON,
  mountMaxTTL,
  type RegisterInput,
  randomId,
  type TTLLimits,
} from './lease.ts';
export {
  type ExpirationDeps,
  ExpirationManager,
  type ExpirationOptions,
  type RenewResult,
  type TidyResult,
} from './manager.ts';
export { type LeasePathDeps, leasePaths } from './paths.ts';
