/** Auth methods: `sys/auth` (enable, disable, list, tune). */
import type { Coffer } from './coffer.ts';
import { trimSlashes } from './paths.ts';
import { mountTable, unwrapData } from './sys.ts';
import type { AuthMountOutput, EnableAuthInput, TuneMountInput, TuneOutput } from './types.ts';

type Requester = Pick<Coffer, 'request'>;

export class AuthApi {
  readonly #c: Requester;

  constructor(client: Requester) {
    this.#c = client;
  }

  /** Every auth method, keyed by path with a trailing slash ("userpass/"). */
  async list(): Promise<Record<string, AuthMountOutput>> {
    return mountTable((await this.#c.request('GET', 'sys/auth')).body);
  }

  async enable(path: string, input: EnableAuthInput): Promise<void> {
    await this.#c.request('POST', `sys/auth/${trimSlashes(path)}`, { body: input });
  }

  async disable(path: string): Promise<void> {
    await this.#c.request('DELETE', `sys/auth/${trimSlashes(path)}`);
  }

  async tune(path: string, config: TuneMountInput): Promise<void> {
    await this.#c.request('POST', `sys/auth/${trimSlashes(path)}/tune`, { body: config });
  }

  async readTune(path: string): Promise<TuneOutput> {
    return unwrapData<TuneOutput>((await this.#c.request('GET', `sys/auth/${trimSlashes(path)}/tune`)).body);
  }
}
