import type { BackendRegistry } from '../core/router/router.ts';
import { kvFactory } from '../engines/kv/index.ts';

/** Every mount type this server can build. The composition root is the only place that lists them. */
export function builtinRegistry(): BackendRegistry {
  return new Map([['kv', kvFactory]]);
}
