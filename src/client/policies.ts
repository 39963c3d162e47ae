/** ACL policies: `sys/policies/acl`. */
import type { Coffer } from './coffer.ts';
import { unwrapData } from './sys.ts';
import type { AclPolicy } from './types.ts';

type Requester = Pick<Coffer, 'request'>;

export class PoliciesApi {
  readonly #c: Requester;

  constructor(client: Requester) {
    this.#c = client;
  }

  /** Names of the ACL policies (`LIST sys/policies/acl`). */
  async list(): Promise<string[]> {
    const res = await this.#c.request('GET', 'sys/policies/acl', { query: { list: 'true' }, accept: [404] });
    if (res.status === 404) return [];
    const keys = unwrapData<{ keys?: unknown }>(res.body)?.keys;
    return Array.isArray(keys) ? keys.map(String) : [];
  }

  /** The policy's text; null when there is no such policy. */
  async read(name: string): Promise<AclPolicy | null> {
    const res = await this.#c.request('GET', `sys/policies/acl/${name}`, { accept: [404] });
    if (res.status === 404) return null;
    const data = unwrapData<Partial<AclPolicy> & { rules?: string }>(res.body);
    return { name: data?.name ?? name, policy: data?.policy ?? data?.rules ?? '' };
  }

  /** Creates or replaces a policy from its HCL or JSON text. */
  async write(name: string, policy: string): Promise<void> {
    await this.#c.request('POST', `sys/policies/acl/${name}`, { body: { policy } });
  }

  async delete(name: string): Promise<void> {
    await this.#c.request('DELETE', `sys/policies/acl/${name}`);
  }
}
