/** Audit devices: `sys/audit` and `sys/audit-hash`. */
import type { Coffer } from './coffer.ts';
import { CofferResponseError } from './errors.ts';
import { trimSlashes } from './paths.ts';
import { unwrapData } from './sys.ts';
import type { AuditDevice, EnableAuditInput } from './types.ts';

type Requester = Pick<Coffer, 'request'>;

export class AuditApi {
  readonly #c: Requester;

  constructor(client: Requester) {
    this.#c = client;
  }

  /** Every audit device, keyed by path with a trailing slash ("file/"). */
  async list(): Promise<Record<string, AuditDevice>> {
    const source = unwrapData<Record<string, unknown>>((await this.#c.request('GET', 'sys/audit')).body);
    const table: Record<string, AuditDevice> = {};
    for (const [key, value] of Object.entries(source ?? {})) {
      if (key.endsWith('/') && value !== null && typeof value === 'object') table[key] = value as AuditDevice;
    }
    return table;
  }

  async enable(path: string, input: EnableAuditInput): Promise<void> {
    await this.#c.request('POST', `sys/audit/${trimSlashes(path)}`, { body: input });
  }

  async disable(path: string): Promise<void> {
    await this.#c.request('DELETE', `sys/audit/${trimSlashes(path)}`);
  }

  /** The device's HMAC of a value ("hmac-sha256:…"), to find it in the log. */
  async hash(path: string, input: string): Promise<string> {
    const res = await this.#c.request('POST', `sys/audit-hash/${trimSlashes(path)}`, { body: { input } });
    const hash = unwrapData<{ hash?: unknown }>(res.body)?.hash;
    if (typeof hash !== 'string')
      throw new CofferResponseError(`no hash returned by audit device ${trimSlashes(path)}`);
    return hash;
  }
}
