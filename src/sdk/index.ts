/** What engines, auth methods and audit devices may import. Nothing of core. */

export type { Storage, StorageOp } from '../storage/storage.ts';
export * from './errors.ts';
export * from './framework/index.ts';
export * from './keyed-lock.ts';
export * from './logger.ts';
export * from './request.ts';
export * from './storage-view.ts';
export * from './system.ts';
