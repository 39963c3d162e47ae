/** Logging in with the userpass and approle auth methods: `auth/<mount>/login…`. */
import type { Coffer } from './coffer.ts';
import { CofferResponseError } from './errors.ts';
import { trimSlashes } from './paths.ts';
import type { SecretAuth } from './types.ts';

type Requester = Pick<Coffer, 'request'>;

export class LoginApi {
  readonly #c: Requester;

  constructor(client: Requester) {
    this.#c = client;
  }

  /** `POST auth/<mount>/login/<username>`; the password goes in the body only. */
  userpass(mount: string, username: string, password: string): Promise<SecretAuth> {
    return this.#login(`auth/${trimSlashes(mount)}/login/${username}`, { password });
  }

  /** `POST auth/<mount>/login` with role_id and (unless the role does not bind it) secret_id. */
  approle(mount: string, roleId: string, secretId?: string): Promise<SecretAuth> {
    const body: Record<string, string> = { role_id: roleId };
    if (secretId !== undefined) body.secret_id = secretId;
    return this.#login(`auth/${trimSlashes(mount)}/login`, body);
  }

  async #login(path: string, body: Record<string, string>): Promise<SecretAuth> {
    const res = await this.#c.request<{ auth?: SecretAuth | null } | null>('POST', path, { body });
    const auth = res.body?.auth;
    if (auth === undefined || auth === null || typeof auth.client_token !== 'string') {
      throw new CofferResponseError(
        `no authentication information returned by ${path.replace(/\/login\/.*$/, '/login')}`,
      );
    }
    return auth;
  }
}
