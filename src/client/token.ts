/** The token store, `auth/token/`: create, look up, renew, revoke; and `sys/capabilities*`. */
import type { Coffer, RequestOptions } from './coffer.ts';
import { secretOf } from './secret.ts';
import type { Secret, TokenCreateRequest, TokenLookupData } from './types.ts';

type Requester = Pick<Coffer, 'request'>;
type Wrap = Pick<RequestOptions, 'wrapTTL'>;

export class TokenApi {
  readonly #c: Requester;

  constructor(client: Requester) {
    this.#c = client;
  }

  /** A child of the calling token. The new token is in `auth` (or `wrap_info` when wrapped). */
  create(request: TokenCreateRequest = {}, options: Wrap = {}): Promise<Secret<null>> {
    return this.#post<null>('auth/token/create', request, options);
  }

  /** A token without parent: it outlives the calling token. */
  createOrphan(request: TokenCreateRequest = {}, options: Wrap = {}): Promise<Secret<null>> {
    return this.#post<null>('auth/token/create-orphan', request, options);
  }

  /** A token made from the role's settings. */
  createWithRole(role: string, request: TokenCreateRequest = {}, options: Wrap = {}): Promise<Secret<null>> {
    return this.#post<null>(`auth/token/create/${role}`, request, options);
  }

  /** Looks a token up (its id goes in the body, never the URL); the calling token without one. */
  lookup(token?: string): Promise<Secret<TokenLookupData>> {
    if (token === undefined) return this.lookupSelf();
    return this.#post<TokenLookupData>('auth/token/lookup', { token });
  }

  async lookupSelf(): Promise<Secret<TokenLookupData>> {
    return secretOf<TokenLookupData>((await this.#c.request('GET', 'auth/token/lookup-self')).body);
  }

  lookupAccessor(accessor: string): Promise<Secret<TokenLookupData>> {
    return this.#post<TokenLookupData>('auth/token/lookup-accessor', { accessor });
  }

  /** Renews a token; `increment` asks for a TTL ("1h" or seconds), the server may grant less. */
  renew(token: string, increment?: string | number): Promise<Secret<null>> {
    return this.#post<null>('auth/token/renew', withIncrement({ token }, increment));
  }

  renewSelf(increment?: string | number): Promise<Secret<null>> {
    return this.#post<null>('auth/token/renew-self', withIncrement({}, increment));
  }

  renewAccessor(accessor: string, increment?: string | number): Promise<Secret<null>> {
    return this.#post<null>('auth/token/renew-accessor', withIncrement({ accessor }, increment));
  }

  /** Revokes a token and all its children. */
  async revoke(token: string): Promise<void> {
    await this.#c.request('POST', 'auth/token/revoke', { body: { token } });
  }

  async revokeSelf(): Promise<void> {
    await this.#c.request('POST', 'auth/token/revoke-self');
  }

  async revokeAccessor(accessor: string): Promise<void> {
    await this.#c.request('POST', 'auth/token/revoke-accessor', { body: { accessor } });
  }

  /** Revokes a token but not its children, which become orphans (needs sudo). */
  async revokeOrphan(token: string): Promise<void> {
    await this.#c.request('POST', 'auth/token/revoke-orphan', { body: { token } });
  }

  /** The capabilities of a token on a path: `sys/capabilities`, or `sys/capabilities-self` without a token. */
  async capabilities(path: string, token?: string): Promise<string[]> {
    const body = token === undefined ? { paths: [path] } : { token, paths: [path] };
    const endpoint = token === undefined ? 'sys/capabilities-self' : 'sys/capabilities';
    return capabilitiesOf((await this.#c.request('POST', endpoint, { body })).body, path);
  }

  /** The capabilities on a path of the token with this accessor (`sys/capabilities-accessor`). */
  async capabilitiesAccessor(path: string, accessor: string): Promise<string[]> {
    const res = await this.#c.request('POST', 'sys/capabilities-accessor', {
      body: { accessor, paths: [path] },
    });
    return capabilitiesOf(res.body, path);
  }

  async #post<T>(path: string, body: object, options: Wrap = {}): Promise<Secret<T>> {
    const res = await this.#c.request('POST', path, { body, wrapTTL: options.wrapTTL });
    return secretOf<T>(res.body);
  }
}

function withIncrement(body: Record<string, unknown>, increment: string | number | undefined) {
  return increment === undefined ? body : { ...body, increment };
}

/** Vault answers `{ "<path>": [...], capabilities: [...] }` (in `data` and on top). */
function capabilitiesOf(body: unknown, path: string): string[] {
  const sources = [body, (body as { data?: unknown } | null)?.data];
  for (const source of sources) {
    if (source === null || typeof source !== 'object') continue;
    const record = source as Record<string, unknown>;
    const value = record[path] ?? record.capabilities;
    if (Array.isArray(value)) return value.map(String);
  }
  return [];
}
