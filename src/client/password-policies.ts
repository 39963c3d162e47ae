/** Password policies: `sys/policies/password`. */
import type { Coffer } from './coffer.ts';
import { CofferResponseError } from './errors.ts';
import { unwrapData } from './sys.ts';

type Requester = Pick<Coffer, 'request'>;

export class PasswordPoliciesApi {
  readonly #c: Requester;

  constructor(client: Requester) {
    this.#c = client;
  }

  /** Names of the password policies; [] when there are none. */
  async list(): Promise<string[]> {
    const res = await this.#c.request('GET', 'sys/policies/password', {
      query: { list: 'true' },
      accept: [404],
    });
    if (res.status === 404) return [];
    const keys = unwrapData<{ keys?: unknown }>(res.body)?.keys;
    return Array.isArray(keys) ? keys.map(String) : [];
  }

  /** The policy's HCL text; null when there is no such policy. */
  async read(name: string): Promise<string | null> {
    const res = await this.#c.request('GET', `sys/policies/password/${name}`, { accept: [404] });
    if (res.status === 404) return null;
    const policy = unwrapData<{ policy?: unknown }>(res.body)?.policy;
    return typeof policy === 'string' ? policy : '';
  }

  /** Creates or replaces a policy from its HCL text. */
  async write(name: string, policy: string): Promise<void> {
    await this.#c.request('PUT', `sys/policies/password/${name}`, { body: { policy } });
  }

  async delete(name: string): Promise<void> {
    await this.#c.request('DELETE', `sys/policies/password/${name}`);
  }

  /** A fresh password from the named policy. */
  async generate(name: string): Promise<string> {
    const res = await this.#c.request('GET', `sys/policies/password/${name}/generate`);
    const password = unwrapData<{ password?: unknown }>(res.body)?.password;
    if (typeof password !== 'string') throw new CofferResponseError('the server answered no password');
    return password;
  }
}
