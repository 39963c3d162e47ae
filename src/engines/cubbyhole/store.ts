import type { StorageView } from '../../sdk/index.ts';

/**
 * The cubbyhole storage layout, shared by the engine and by response wrapping: each token's
 * entries live below `<tokenHash>/`, one JSON object per path. The token hash is the salted HMAC
 * core computes (non-secret); the token id itself never reaches a storage key.
 */
const TOKEN_HASH = /^[A-Za-z0-9_-]{1,128}$/;

/** The view below one token's cubbyhole. Refuses anything that is not a plain hash. */
export function tokenView(view: StorageView, tokenHash: string): StorageView {
  if (!TOKEN_HASH.test(tokenHash)) throw new Error('invalid cubbyhole token hash');
  return view.sub(`${tokenHash}/`);
}

export function readCubbyhole(
  view: StorageView,
  tokenHash: string,
  path: string,
): Promise<Record<string, unknown> | undefined> {
  return tokenView(view, tokenHash).getJSON<Record<string, unknown>>(path);
}

export function writeCubbyhole(
  view: StorageView,
  tokenHash: string,
  path: string,
  value: Record<string, unknown>,
): Promise<void> {
  return tokenView(view, tokenHash).putJSON(path, value);
}

export function deleteCubbyhole(view: StorageView, tokenHash: string, path: string): Promise<void> {
  return tokenView(view, tokenHash).delete(path);
}

/** Removes every entry of one token (called when the token is revoked). Returns how many. */
export async function destroyCubbyhole(view: StorageView, tokenHash: string): Promise<number> {
  const own = tokenView(view, tokenHash);
  const keys = await own.listAll();
  for (let i = 0; i < keys.length; i += 500) {
    await own.batch(keys.slice(i, i + 500).map((key) => ({ op: 'delete' as const, key })));
  }
  return keys.length;
}
