import { BadRequestError, NotFoundError } from '../../sdk/errors.ts';
import type { StorageView } from '../../sdk/storage-view.ts';
import { generate, type RandomInt } from './generate.ts';
import { type PasswordPolicy, parsePasswordPolicy } from './policy.ts';

const NAME_RE = /^[A-Za-z0-9_.-]{1,128}$/;

/** A password policy name: 1 to 128 letters, digits, `_`, `.` or `-`. */
export function checkPolicyName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new BadRequestError('invalid password policy name: use 1 to 128 letters, digits, "_", "." or "-"');
  }
  return name;
}

interface Stored {
  policy: string;
}

/** Password policies, stored as `policy/<name>` → `{ policy: text }` in the view it is given. */
export class PasswordPolicyStore {
  readonly #view: StorageView;
  readonly #rng: RandomInt | undefined;

  constructor(view: StorageView, options: { rng?: RandomInt } = {}) {
    this.#view = view;
    this.#rng = options.rng;
  }

  /** The policy text; undefined when there is no such policy. */
  async get(name: string): Promise<string | undefined> {
    const stored = await this.#view.getJSON<Stored>(`policy/${checkPolicyName(name)}`);
    return stored?.policy;
  }

  /**
   * Validates and stores a policy. As Vault does, a policy that parses but cannot produce a
   * password (rules too strict to meet by chance) is refused.
   */
  async put(name: string, text: string): Promise<PasswordPolicy> {
    checkPolicyName(name);
    const policy = parsePasswordPolicy(text);
    generate(policy, this.#rng);
    await this.#view.putJSON(`policy/${name}`, { policy: text } satisfies Stored);
    return policy;
  }

  async delete(name: string): Promise<void> {
    await this.#view.delete(`policy/${checkPolicyName(name)}`);
  }

  /** Names of the stored policies, sorted. */
  async list(): Promise<string[]> {
    return (await this.#view.list('policy/')).filter((k) => !k.endsWith('/')).sort();
  }

  /** A fresh password from the named policy; NotFoundError when there is none. */
  async generate(name: string): Promise<string> {
    const text = await this.get(name);
    if (text === undefined) throw new NotFoundError(`no password policy named "${name}"`);
    return generate(parsePasswordPolicy(text), this.#rng);
  }
}
