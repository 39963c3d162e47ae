/** The `sys/` backend: seal, init, keys, rekey, mounts. */
import type { Coffer } from './coffer.ts';
import { CofferResponseError } from './errors.ts';
import { trimSlashes } from './paths.ts';
import type {
  EnableMountInput,
  HealthStatus,
  InitRequest,
  InitResponse,
  KeyStatus,
  MountInfo,
  MountOutput,
  RekeyInitRequest,
  RekeyStatus,
  RekeyUpdateResponse,
  SealStatus,
  TuneMountInput,
  TuneOutput,
} from './types.ts';

type Requester = Pick<Coffer, 'request'>;

/** The statuses `sys/health` uses to describe a node that is up but not active. */
const HEALTH_STATUSES = [429, 472, 473, 501, 503] as const;

export class SysApi {
  readonly #c: Requester;

  constructor(client: Requester) {
    this.#c = client;
  }

  /** `GET sys/health`; the non-200 health statuses (sealed, standby…) are answers, not errors. */
  async health(options: { query?: Record<string, string | number | boolean> } = {}): Promise<HealthStatus> {
    const res = await this.#c.request<HealthStatus>('GET', 'sys/health', {
      query: options.query,
      accept: HEALTH_STATUSES,
    });
    return res.body;
  }

  async sealStatus(): Promise<SealStatus> {
    return (await this.#c.request<SealStatus>('GET', 'sys/seal-status')).body;
  }

  async initStatus(): Promise<{ initialized: boolean }> {
    return (await this.#c.request<{ initialized: boolean }>('GET', 'sys/init')).body;
  }

  async init(request: InitRequest): Promise<InitResponse> {
    return (await this.#c.request<InitResponse>('POST', 'sys/init', { body: request })).body;
  }

  /** Submits one unseal key share, or `{ reset: true }` to discard the shares given so far. */
  async unseal(key: string | { reset: true }): Promise<SealStatus> {
    const body = typeof key === 'string' ? { key } : { reset: true };
    return (await this.#c.request<SealStatus>('POST', 'sys/unseal', { body })).body;
  }

  async seal(): Promise<void> {
    await this.#c.request('POST', 'sys/seal');
  }

  async keyStatus(): Promise<KeyStatus> {
    return unwrapData<KeyStatus>((await this.#c.request('GET', 'sys/key-status')).body);
  }

  async rotate(): Promise<void> {
    await this.#c.request('POST', 'sys/rotate');
  }

  async rekeyInit(request: RekeyInitRequest): Promise<RekeyStatus> {
    return (await this.#c.request<RekeyStatus>('POST', 'sys/rekey/init', { body: request })).body;
  }

  async rekeyStatus(): Promise<RekeyStatus> {
    return (await this.#c.request<RekeyStatus>('GET', 'sys/rekey/init')).body;
  }

  async rekeyUpdate(key: string, nonce: string): Promise<RekeyUpdateResponse> {
    return (await this.#c.request<RekeyUpdateResponse>('POST', 'sys/rekey/update', { body: { key, nonce } }))
      .body;
  }

  async rekeyCancel(): Promise<void> {
    await this.#c.request('DELETE', 'sys/rekey/init');
  }

  /** Every secrets engine mount, keyed by path with a trailing slash ("secret/"). */
  async mounts(): Promise<Record<string, MountOutput>> {
    const body = (await this.#c.request('GET', 'sys/mounts')).body;
    return mountTable(body);
  }

  async enableMount(path: string, input: EnableMountInput): Promise<void> {
    await this.#c.request('POST', `sys/mounts/${mountPath(path)}`, { body: input });
  }

  async disableMount(path: string): Promise<void> {
    await this.#c.request('DELETE', `sys/mounts/${mountPath(path)}`);
  }

  async tuneMount(path: string, config: TuneMountInput): Promise<void> {
    await this.#c.request('POST', `sys/mounts/${mountPath(path)}/tune`, { body: config });
  }

  async readTune(path: string): Promise<TuneOutput> {
    return unwrapData<TuneOutput>((await this.#c.request('GET', `sys/mounts/${mountPath(path)}/tune`)).body);
  }

  /** The mount a path lives in (`sys/internal/ui/mounts/<path>`); null when the server has no such endpoint. */
  async internalUiMount(path: string): Promise<MountInfo | null> {
    const res = await this.#c.request<{ data?: MountInfo | null } | null>(
      'GET',
      `sys/internal/ui/mounts/${trimSlashes(path)}`,
      // A lookup, never wrapped, whatever wrap TTL the client has (Vault's CLI does the same).
      { accept: [404], wrapTTL: '' },
    );
    if (res.status === 404) return null;
    const data = res.body?.data;
    if (data === undefined || data === null) {
      throw new CofferResponseError(`no mount information returned for ${trimSlashes(path)}`);
    }
    return data;
  }
}

function mountPath(path: string): string {
  return trimSlashes(path);
}

/** Logical sys paths answer with `{ data: {...} }` (and sometimes the same fields on top). */
export function unwrapData<T>(body: unknown): T {
  if (body !== null && typeof body === 'object' && 'data' in body) {
    const data = (body as { data: unknown }).data;
    if (data !== null && typeof data === 'object') return data as T;
  }
  return body as T;
}

export function mountTable(body: unknown): Record<string, MountOutput> {
  const source = unwrapData<Record<string, unknown>>(body);
  const table: Record<string, MountOutput> = {};
  for (const [key, value] of Object.entries(source ?? {})) {
    if (key.endsWith('/') && value !== null && typeof value === 'object') table[key] = value as MountOutput;
  }
  return table;
}
