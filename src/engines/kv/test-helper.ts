/** Tier-1 test harness for the KV engine: the sdk's backend harness, mounted at `secret/`. */
import type { Operation, Request, Response } from '../../sdk/index.ts';
import { type BackendHarness, backendHarness } from '../../sdk/testing.ts';
import { kvFactory } from './index.ts';

export const START = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

export interface KvHarness extends BackendHarness {
  /** PATCH with the merge-patch content type. */
  patch(mountPath: string, data: Record<string, unknown>): Promise<Response>;
}

const MOUNT = { path: 'secret/', type: 'kv', accessor: 'kv_test' };

export function kvRequest(
  operation: Operation,
  mountPath: string,
  data: Record<string, unknown> = {},
  extra: Partial<Request> = {},
): Request {
  return {
    id: 'req-1',
    operation,
    path: `${MOUNT.path}${mountPath}`,
    data,
    headers: {},
    clientToken: '',
    remoteAddr: '127.0.0.1',
    mountPoint: MOUNT.path,
    mountPath,
    ...extra,
  };
}

export async function kvHarness(options: Record<string, string> = { version: '2' }): Promise<KvHarness> {
  const h = await backendHarness({ factory: kvFactory, mount: { ...MOUNT, options }, start: START });
  return {
    ...h,
    patch: (mountPath, data) =>
      h.call('patch', mountPath, data, { contentType: 'application/merge-patch+json' }),
  };
}

/** The time the harness clock shows, as KV prints it. */
export function printed(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000000Z');
}
