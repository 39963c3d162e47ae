/** Leases, `sys/leases/*`: look up, list, renew, revoke (one, a prefix, forced), count. */
import type { Coffer } from './coffer.ts';
import { secretOf } from './secret.ts';
import { unwrapData } from './sys.ts';
import type { Secret } from './types.ts';

type Requester = Pick<Coffer, 'request'>;

/** `sys/leases/lookup`: what Vault knows of one lease. */
export interface LeaseLookup {
  id: string;
  issue_time: string;
  expire_time: string | null;
  last_renewal: string | null;
  renewable: boolean;
  /** Seconds left. */
  ttl: number;
  [key: string]: unknown;
}

/** `sys/leases/count`. */
export interface LeaseCount {
  lease_count: number;
  /** Per mount, when the server breaks the count down. */
  counts?: Record<string, number>;
  [key: string]: unknown;
}

/** One lease the server could not revoke (`sys/leases?type=irrevocable`). */
export interface IrrevocableLease {
  lease_id: string;
  mount_id?: string;
  expire_time?: string;
  /** Why the last revocation failed. */
  error?: string;
  [key: string]: unknown;
}

export interface IrrevocableLeases {
  leases: IrrevocableLease[];
  lease_count: number;
  [key: string]: unknown;
}

const trimSlashes = (p: string) => p.replace(/^\/+/, '');

export class LeasesApi {
  readonly #c: Requester;

  constructor(client: Requester) {
    this.#c = client;
  }

  /** One lease; its id goes in the body, never the URL. */
  async lookup(leaseId: string): Promise<LeaseLookup> {
    const res = await this.#c.request('PUT', 'sys/leases/lookup', { body: { lease_id: leaseId } });
    return unwrapData<LeaseLookup>(res.body);
  }

  /** Keys of the leases (and folders, ending in "/") under a prefix; [] when there are none. */
  async list(prefix: string): Promise<string[]> {
    const res = await this.#c.request('GET', `sys/leases/lookup/${trimSlashes(prefix)}`, {
      query: { list: 'true' },
      accept: [404],
    });
    if (res.status === 404) return [];
    const keys = unwrapData<{ keys?: unknown }>(res.body)?.keys;
    return Array.isArray(keys) ? keys.map(String) : [];
  }

  /** Renews a lease; `increment` asks for a TTL ("1h" or seconds), the server may grant less. */
  async renew(leaseId: string, increment?: string | number): Promise<Secret<null>> {
    const body = increment === undefined ? { lease_id: leaseId } : { lease_id: leaseId, increment };
    return secretOf<null>((await this.#c.request('PUT', 'sys/leases/renew', { body })).body);
  }

  /** Revokes one lease; with `sync: false` the server queues it and answers at once. */
  async revoke(leaseId: string, options: { sync?: boolean | undefined } = {}): Promise<void> {
    await this.#c.request('PUT', 'sys/leases/revoke', {
      body: withSync({ lease_id: leaseId }, options.sync),
    });
  }

  /** Revokes every lease under a prefix ("database/creds/app"). */
  async revokePrefix(prefix: string, options: { sync?: boolean | undefined } = {}): Promise<void> {
    await this.#c.request('PUT', `sys/leases/revoke-prefix/${trimSlashes(prefix)}`, {
      body: withSync({}, options.sync),
    });
  }

  /** Drops every lease under a prefix even when the outside system refuses to revoke (sudo). */
  async revokeForce(prefix: string): Promise<void> {
    await this.#c.request('PUT', `sys/leases/revoke-force/${trimSlashes(prefix)}`);
  }

  /** How many leases there are (`type` as Vault's: "irrevocable"). */
  async count(options: { type?: string | undefined } = {}): Promise<LeaseCount> {
    const res = await this.#c.request('GET', 'sys/leases/count', { query: { type: options.type } });
    return unwrapData<LeaseCount>(res.body);
  }

  /** The leases the server gave up revoking, with the last error of each. */
  async irrevocable(): Promise<IrrevocableLeases> {
    const res = await this.#c.request('GET', 'sys/leases', { query: { type: 'irrevocable' } });
    const data = unwrapData<Partial<IrrevocableLeases> | null>(res.body);
    const leases = Array.isArray(data?.leases) ? data.leases : [];
    return { ...data, leases, lease_count: data?.lease_count ?? leases.length };
  }

  /** Revokes every lease and token an identity entity holds. */
  async revokeEntity(entityId: string): Promise<void> {
    await this.#c.request('PUT', 'sys/leases/revoke-entity', { body: { entity_id: entityId } });
  }
}

function withSync(body: Record<string, unknown>, sync: boolean | undefined): Record<string, unknown> {
  return sync === undefined ? body : { ...body, sync };
}
