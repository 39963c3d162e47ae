import { createHmac, randomBytes } from 'node:crypto';
import type { StorageView } from '../../sdk/index.ts';

const KEY_PATH = 'salt';

/**
 * A per-mount HMAC key (created on first use, stored behind the barrier). Role ids, secret ids
 * and accessors appear in storage keys only as HMAC-SHA256 digests under this key.
 */
export class MountHmac {
  #key: Promise<Buffer> | undefined;

  #load(storage: StorageView): Promise<Buffer> {
    this.#key ??= (async () => {
      const stored = await storage.getJSON<{ key: string }>(KEY_PATH);
      if (stored) return Buffer.from(stored.key, 'base64');
      const key = randomBytes(32);
      await storage.putJSON(KEY_PATH, { key: key.toString('base64') });
      return key;
    })().catch((err: unknown) => {
      this.#key = undefined;
      throw err;
    });
    return this.#key;
  }

  /** hex HMAC of `value`, domain-separated by `kind` (`secret_id`, `role_id`, `accessor`). */
  async digest(storage: StorageView, kind: string, value: string): Promise<string> {
    const key = await this.#load(storage);
    return createHmac('sha256', key).update(`${kind}\0${value}`).digest('hex');
  }
}
