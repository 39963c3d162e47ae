/** Response wrapping: `sys/wrapping/{wrap,unwrap,lookup,rewrap}`. */
import type { Coffer } from './coffer.ts';
import { CofferResponseError } from './errors.ts';
import { secretOf } from './secret.ts';
import { unwrapData } from './sys.ts';
import type { Secret, WrapInfo, WrapLookup } from './types.ts';

type Requester = Pick<Coffer, 'request' | 'token'>;

export class WrappingApi {
  readonly #c: Requester;

  constructor(client: Requester) {
    this.#c = client;
  }

  /**
   * The wrapped response, consuming the wrapping token. Without a token, the client's token is
   * the wrapping token; a client without a token authenticates with the wrapping token itself
   * (as Vault's client does). Null when the wrapped response was empty.
   */
  async unwrap<T = Record<string, unknown>>(token?: string): Promise<Secret<T> | null> {
    const options = this.#tokenOptions(token);
    const res = await this.#c.request('POST', 'sys/wrapping/unwrap', { ...options, wrapTTL: '' });
    if (res.body === null || typeof res.body !== 'object') return null;
    return secretOf<T>(res.body);
  }

  /** Creation path, time and TTL of a wrapping token, without consuming it. */
  async lookup(token?: string): Promise<WrapLookup> {
    const options = this.#tokenOptions(token);
    const res = await this.#c.request('POST', 'sys/wrapping/lookup', { ...options, wrapTTL: '' });
    return unwrapData<WrapLookup>(res.body);
  }

  /** A new wrapping token for the same response; the old one is revoked. */
  async rewrap(token: string): Promise<WrapInfo> {
    return wrapInfoOf((await this.#c.request('POST', 'sys/wrapping/rewrap', { body: { token } })).body);
  }

  /** Wraps arbitrary data in a single-use token. */
  async wrap(data: Record<string, unknown>, ttl = '5m'): Promise<WrapInfo> {
    return wrapInfoOf(
      (await this.#c.request('POST', 'sys/wrapping/wrap', { body: data, wrapTTL: ttl })).body,
    );
  }

  #tokenOptions(token: string | undefined): { body?: unknown; headers?: Record<string, string> } {
    if (token === undefined || token === this.#c.token) return {};
    if (this.#c.token === undefined) return { headers: { 'X-Vault-Token': token } };
    return { body: { token } };
  }
}

function wrapInfoOf(body: unknown): WrapInfo {
  const info = (body as { wrap_info?: WrapInfo | null } | null)?.wrap_info;
  if (info === undefined || info === null) throw new CofferResponseError('no wrapping information returned');
  return info;
}
