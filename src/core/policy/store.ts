import { BadRequestError } from '../../sdk/errors.ts';
import type { StorageView } from '../../sdk/storage-view.ts';
import { ACL } from './acl.ts';
import { DEFAULT_POLICY_TEXT, RESPONSE_WRAPPING_POLICY_TEXT } from './builtin.ts';
import { normalizePolicyName, parsePolicy } from './parse.ts';
import {
  DEFAULT_POLICY_NAME,
  type Policy,
  RESPONSE_WRAPPING_POLICY_NAME,
  ROOT_POLICY,
  ROOT_POLICY_NAME,
} from './policy.ts';
import { identityKey, type TemplateIdentity } from './template.ts';

/** What is stored per policy, at `acl/<name>` in the store's view. */
interface StoredPolicy {
  version: 1;
  name: string;
  raw: string;
}

const MAX_CACHED_ACLS = 1024;

/**
 * ACL policies, kept behind the barrier. `root` is built in and never stored; `default` is
 * written on first load and may be edited but not deleted; `response-wrapping` is built in,
 * immutable and not listed. Names are case-insensitive (stored lower-cased).
 *
 * Parsed policies and compiled ACLs are cached; every put and delete drops the ACL cache. The
 * caches assume this store is the only writer of its view (one active node).
 */
export class PolicyStore {
  readonly #view: StorageView;
  /** Parsed policies by name; `null` remembers a name that is not stored. */
  readonly #policies = new Map<string, Policy | null>();
  readonly #acls = new Map<string, ACL>();
  /** The request path's shortcut: names as the token holds them → ACL, when none is templated. */
  readonly #byNames = new Map<string, ACL>();
  /** Bumped on every change, so an ACL compiled from stale policies is not cached. */
  #generation = 0;
  readonly #responseWrapping = parsePolicy(RESPONSE_WRAPPING_POLICY_NAME, RESPONSE_WRAPPING_POLICY_TEXT);

  /** `view` is the barrier view for policies (e.g. `sys/policy/`). */
  constructor(view: StorageView) {
    this.#view = view;
  }

  /** Drops the caches and writes the default policy when it is not there yet. */
  async load(): Promise<void> {
    this.#invalidate();
    this.#policies.clear();
    if (!(await this.#view.has(key(DEFAULT_POLICY_NAME)))) {
      await this.#write(parsePolicy(DEFAULT_POLICY_NAME, DEFAULT_POLICY_TEXT));
    }
  }

  /** The parsed policy, the built-in `root` included; undefined when unknown or the name is invalid. */
  async get(name: string): Promise<Policy | undefined> {
    const n = lenientName(name);
    if (n === undefined) return undefined;
    if (n === ROOT_POLICY_NAME) return ROOT_POLICY;
    if (n === RESPONSE_WRAPPING_POLICY_NAME) return this.#responseWrapping;
    const cached = this.#policies.get(n);
    if (cached !== undefined) return cached ?? undefined;
    const generation = this.#generation;
    const stored = await this.#view.getJSON<StoredPolicy>(key(n));
    const policy = stored ? parsePolicy(n, stored.raw) : undefined;
    if (generation === this.#generation) this.#policies.set(n, policy ?? null);
    return policy;
  }

  /** The policy text as written; `''` for `root` (it has no text), undefined for unknown names. */
  async getText(name: string): Promise<string | undefined> {
    return (await this.get(name))?.raw;
  }

  /** Validates and stores. 400 for a bad name, bad text, or a built-in immutable policy. */
  async put(name: string, text: string): Promise<void> {
    const n = normalizePolicyName(name);
    if (n === ROOT_POLICY_NAME || n === RESPONSE_WRAPPING_POLICY_NAME) {
      throw new BadRequestError(`cannot update "${n}" policy`);
    }
    await this.#write(parsePolicy(n, text));
  }

  /** Deleting an unknown policy succeeds (as in Vault); `root` and `default` cannot be deleted. */
  async delete(name: string): Promise<void> {
    const n = normalizePolicyName(name);
    if (n === ROOT_POLICY_NAME || n === DEFAULT_POLICY_NAME || n === RESPONSE_WRAPPING_POLICY_NAME) {
      throw new BadRequestError(`cannot delete "${n}" policy`);
    }
    this.#invalidate();
    await this.#view.delete(key(n));
    this.#policies.set(n, null);
    this.#invalidate();
  }

  /** Every policy name, `root` included, sorted. */
  async list(): Promise<string[]> {
    const names = (await this.#view.list('acl/')).filter((k) => !k.endsWith('/'));
    return [...new Set([...names, ROOT_POLICY_NAME])].sort();
  }

  /** Bumped by every policy change: an ACL computed at an older generation may be stale. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * The ACL of a token holding `names` (unknown names are skipped, as in Vault). Cached by the
   * sorted names of the policies found, and by the identity when one of them is templated.
   */
  async aclFor(names: readonly string[], identity?: TemplateIdentity): Promise<ACL> {
    const namesKey = names.join('\n');
    const quick = this.#byNames.get(namesKey);
    if (quick) return quick;
    const sorted = [...new Set(names.map(lenientName).filter((n): n is string => n !== undefined))].sort();
    const generation = this.#generation;
    const policies: Policy[] = [];
    for (const n of sorted) {
      const p = await this.get(n);
      if (p) policies.push(p);
    }
    const templated = policies.some((p) => p.templated);
    const cacheKey = `${policies.map((p) => p.name).join(',')}|${templated ? identityKey(identity) : ''}`;
    const hit = this.#acls.get(cacheKey);
    if (hit && generation === this.#generation) {
      if (!templated) this.#byNames.set(namesKey, hit);
      return hit;
    }
    const acl = ACL.compile(policies, identity);
    if (generation === this.#generation) {
      if (this.#acls.size >= MAX_CACHED_ACLS) this.#acls.delete(this.#acls.keys().next().value!);
      this.#acls.set(cacheKey, acl);
      if (!templated) {
        if (this.#byNames.size >= MAX_CACHED_ACLS) this.#byNames.clear();
        this.#byNames.set(namesKey, acl);
      }
    }
    return acl;
  }

  async #write(policy: Policy): Promise<void> {
    const stored: StoredPolicy = { version: 1, name: policy.name, raw: policy.raw };
    this.#invalidate();
    await this.#view.putJSON(key(policy.name), stored);
    this.#policies.set(policy.name, policy);
    this.#invalidate();
  }

  #invalidate(): void {
    this.#generation++;
    this.#acls.clear();
    this.#byNames.clear();
  }
}

function key(name: string): string {
  return `acl/${name}`;
}

function lenientName(name: string): string | undefined {
  try {
    return normalizePolicyName(name);
  } catch {
    return undefined;
  }
}
