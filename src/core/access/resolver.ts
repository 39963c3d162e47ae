import { PermissionDeniedError } from '../../sdk/errors.ts';
import type { Request, RequestAuth } from '../../sdk/request.ts';
import type { IdentityStore } from '../identity/index.ts';
import type { ACL, PolicyStore, TemplateIdentity } from '../policy/index.ts';
import { cidrAllows, type TokenEntry } from '../tokens/index.ts';
import type { TokenStore } from '../tokens/token-store.ts';

/**
 * Who a request is and what it may do: token → entity → effective policies → ACL.
 * Identity policies are computed at request time, so a group change applies to existing tokens
 * at once.
 */
export class AccessResolver {
  readonly #tokens: TokenStore;
  readonly #identity: IdentityStore;
  readonly #policies: PolicyStore;
  readonly #entryAuth = new WeakMap<TokenEntry, RequestAuth>();
  readonly #authACL = new WeakMap<RequestAuth, { acl: ACL; generation: number }>();

  constructor(deps: { tokens: TokenStore; identity: IdentityStore; policies: PolicyStore }) {
    this.#tokens = deps.tokens;
    this.#identity = deps.identity;
    this.#policies = deps.policies;
  }

  /**
   * The live token entry of a request, checked against bound CIDRs and a disabled entity.
   * Synchronous (a value, or a throw) when the token store has the entry in memory.
   */
  tokenFor(
    clientToken: string,
    remoteAddr: string,
  ): TokenEntry | undefined | Promise<TokenEntry | undefined> {
    const known = this.#tokens.lookupCached(clientToken);
    if (known === null) return this.#tokenFromStorage(clientToken, remoteAddr);
    return this.#checked(known, remoteAddr);
  }

  async #tokenFromStorage(clientToken: string, remoteAddr: string): Promise<TokenEntry | undefined> {
    return this.#checked(await this.#tokens.lookup(clientToken), remoteAddr);
  }

  #checked(entry: TokenEntry | undefined, remoteAddr: string): TokenEntry | undefined {
    if (!entry) return undefined;
    if (entry.boundCIDRs.length > 0 && !cidrAllows(entry.boundCIDRs, remoteAddr))
      throw new PermissionDeniedError();
    if (entry.entityId !== '' && this.#identity.isDisabled(entry.entityId)) throw new PermissionDeniedError();
    return entry;
  }

  /**
   * RequestAuth of a token: its policies plus its entity's and its groups'. Synchronous for a
   * token without an entity (the common case on the request path: no await, no microtask).
   */
  authOf(entry: TokenEntry): RequestAuth | Promise<RequestAuth> {
    // Without an entity the answer depends on the entry alone; the token store replaces an entry
    // object when the token changes, so it is the key of the memo. Shared, hence frozen.
    if (entry.entityId === '') {
      let auth = this.#entryAuth.get(entry);
      if (auth === undefined) {
        auth = freezeAuth(this.#authFrom(entry, []));
        this.#entryAuth.set(entry, auth);
      }
      return auth;
    }
    return this.#identityAuth(entry);
  }

  async #identityAuth(entry: TokenEntry): Promise<RequestAuth> {
    const p = await this.#identity.policiesFor(entry.entityId);
    return this.#authFrom(entry, [...new Set([...p.entityPolicies, ...p.groupPolicies])].sort());
  }

  #authFrom(entry: TokenEntry, identityPolicies: string[]): RequestAuth {
    return {
      tokenHash: entry.hash,
      accessor: entry.accessor,
      policies: [...new Set([...entry.policies, ...identityPolicies])].sort(),
      tokenPolicies: [...entry.policies],
      identityPolicies,
      entityId: entry.entityId,
      displayName: entry.displayName,
      metadata: { ...entry.meta },
      tokenType: entry.type,
      path: entry.path,
    };
  }

  templateIdentity(entityId: string): TemplateIdentity | undefined {
    if (entityId === '') return undefined;
    return this.#identity.templateIdentity(entityId) as TemplateIdentity | undefined;
  }

  /** The ACL of a RequestAuth; synchronous when it is remembered (an entity-less, shared auth). */
  aclFor(auth: RequestAuth): ACL | Promise<ACL> {
    if (auth.entityId !== '')
      return this.#policies.aclFor(auth.policies, this.templateIdentity(auth.entityId));
    // An entity-less auth is shared per token (authOf): its ACL is remembered beside it until a
    // policy changes.
    const generation = this.#policies.generation;
    const known = this.#authACL.get(auth);
    if (known !== undefined && known.generation === generation) return known.acl;
    return this.#compileFor(auth, generation);
  }

  async #compileFor(auth: RequestAuth, generation: number): Promise<ACL> {
    const acl = await this.#policies.aclFor(auth.policies, undefined);
    if (Object.isFrozen(auth)) this.#authACL.set(auth, { acl, generation });
    return acl;
  }

  async aclForEntry(entry: TokenEntry | undefined): Promise<ACL | undefined> {
    return entry ? this.aclFor(await this.authOf(entry)) : undefined;
  }

  async aclForToken(token: string): Promise<ACL | undefined> {
    return this.aclForEntry(await this.#tokens.lookup(token));
  }

  async aclForAccessor(accessor: string): Promise<ACL | undefined> {
    return this.aclForEntry(await this.#tokens.lookupAccessor(accessor));
  }

  async aclForRequest(req: Request): Promise<ACL | undefined> {
    return req.auth ? this.aclFor(req.auth) : undefined;
  }
}

function freezeAuth(auth: RequestAuth): RequestAuth {
  Object.freeze(auth.policies);
  Object.freeze(auth.tokenPolicies);
  Object.freeze(auth.identityPolicies);
  Object.freeze(auth.metadata);
  return Object.freeze(auth);
}
