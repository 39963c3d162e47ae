import { isDeepStrictEqual } from 'node:util';
import type { Operation } from '../../sdk/request.ts';
import { mergeRules, type ParameterValues, type PathRule, type Policy, ROOT_POLICY_NAME } from './policy.ts';
import { renderTemplate, type TemplateIdentity } from './template.ts';

export type AclReason =
  | 'no-capability'
  | 'denied-parameter'
  | 'missing-required-parameter'
  | 'parameter-not-allowed';

export interface AclResult {
  allowed: boolean;
  /** The matching rule grants `sudo` (or the ACL is root). Core requires it on sudo paths. */
  sudo: boolean;
  /** What the matching rule grants, sorted; `['root']` for root, `[]` when nothing matches. */
  capabilities: string[];
  /** Seconds, from the matching rule (only when allowed). */
  minWrappingTTL?: number;
  maxWrappingTTL?: number;
  reason?: AclReason;
}

/** A wildcard rule and the keys Vault ranks it by. */
interface GlobRule {
  readonly pattern: string;
  /** The pattern without its trailing `*`. */
  readonly wcPath: string;
  readonly isPrefix: boolean;
  /** Character position of the first `+` segment, or of the `*` for a plain prefix rule. */
  readonly firstWildcard: number;
  /** Number of `+` segments. */
  readonly plusCount: number;
  /** `wcPath` split on `/` (segment rules only). */
  readonly segments: readonly string[] | undefined;
  readonly rule: PathRule;
}

/** Orders two matching wildcard rules: negative when `a` has lower priority than `b`. */
export function comparePriority(
  a: Pick<GlobRule, 'wcPath' | 'isPrefix' | 'firstWildcard' | 'plusCount'>,
  b: Pick<GlobRule, 'wcPath' | 'isPrefix' | 'firstWildcard' | 'plusCount'>,
): number {
  // 1. the first wildcard (`+` or `*`) occurring earlier loses
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard - b.firstWildcard;
  // 2. ending in `*` loses to not ending in `*`
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1;
  // 3. more `+` segments loses
  if (a.plusCount !== b.plusCount) return b.plusCount - a.plusCount;
  // 4. shorter loses
  if (a.wcPath.length !== b.wcPath.length) return a.wcPath.length - b.wcPath.length;
  // 5. lexicographically smaller loses
  return a.wcPath < b.wcPath ? -1 : a.wcPath > b.wcPath ? 1 : 0;
}

/** Where a path rule goes once its template (if any) is rendered. */
function classify(
  rule: PathRule,
): { kind: 'exact' } | { kind: 'prefix'; prefix: string } | { kind: 'glob'; glob: GlobRule } {
  const pattern = rule.path;
  const isPrefix = pattern.endsWith('*');
  const wcPath = isPrefix ? pattern.slice(0, -1) : pattern;
  const segments = wcPath.split('/');
  let plusCount = 0;
  let firstWildcard = -1;
  let offset = 0;
  for (const s of segments) {
    if (s === '+') {
      plusCount++;
      if (firstWildcard === -1) firstWildcard = offset;
    }
    offset += s.length + 1;
  }
  if (plusCount > 0) {
    return { kind: 'glob', glob: { pattern, wcPath, isPrefix, firstWildcard, plusCount, segments, rule } };
  }
  if (isPrefix) return { kind: 'prefix', prefix: wcPath };
  return { kind: 'exact' };
}

/** Prefix rules of one length; `few` lists them when a scan beats a map lookup (slice + hash). */
interface PrefixGroup {
  readonly length: number;
  readonly few?: ReadonlyArray<[string, PathRule]>;
}

const FEW_PREFIXES = 4;

function prefixGroups(prefixes: ReadonlyMap<string, PathRule>): PrefixGroup[] {
  const byLength = new Map<number, Array<[string, PathRule]>>();
  for (const entry of prefixes) {
    const list = byLength.get(entry[0].length);
    if (list) list.push(entry);
    else byLength.set(entry[0].length, [entry]);
  }
  return [...byLength]
    .sort((a, b) => b[0] - a[0])
    .map(([length, list]) => (list.length <= FEW_PREFIXES ? { length, few: list } : { length }));
}

/**
 * The compiled access rules of a set of policies, evaluated on every request. Matching follows
 * Vault: an exact rule wins; otherwise the highest-priority wildcard rule (see comparePriority)
 * decides alone — capabilities are never combined across different patterns. Rules on the same
 * pattern from several policies are merged first (capabilities unioned, `deny` wins).
 */
export class ACL {
  readonly root: boolean;
  readonly #exact = new Map<string, PathRule>();
  readonly #prefix = new Map<string, PathRule>();
  /**
   * The prefix rules by length, longest first: the longest-prefix lookup tries each length once,
   * comparing in place (startsWith) where a length has few prefixes, else by one map lookup.
   */
  readonly #prefixGroups: PrefixGroup[];
  readonly #globs: GlobRule[] = [];

  private constructor(root: boolean, rules: Iterable<PathRule>) {
    this.root = root;
    for (const rule of rules) {
      const c = classify(rule);
      if (c.kind === 'exact') this.#exact.set(rule.path, rule);
      else if (c.kind === 'prefix') this.#prefix.set(c.prefix, rule);
      else this.#globs.push(c.glob);
    }
    this.#prefixGroups = prefixGroups(this.#prefix);
    // Highest priority first, so the first match wins.
    this.#globs.sort((a, b) => comparePriority(b, a));
  }

  /**
   * Compiles policies (templated paths rendered for `identity`; a path that cannot be rendered
   * is dropped). The `root` policy makes a root ACL whatever else is given (Vault refuses root
   * mixed with other policies; Coffer lets root win).
   */
  static compile(policies: readonly Policy[], identity?: TemplateIdentity): ACL {
    if (policies.some((p) => p.name === ROOT_POLICY_NAME)) return new ACL(true, []);
    const merged = new Map<string, PathRule>();
    for (const policy of policies) {
      for (const rule of policy.paths) {
        let r = rule;
        if (policy.templated && rule.path.includes('{{')) {
          const path = renderTemplate(rule.path, identity);
          if (path === undefined) continue;
          r = { ...rule, path };
        }
        const existing = merged.get(r.path);
        merged.set(r.path, existing ? mergeRules(existing, r) : r);
      }
    }
    return new ACL(false, merged.values());
  }

  /** The rule that governs `path`, or undefined. */
  #match(path: string): PathRule | undefined {
    const exact = this.#exact.get(path);
    if (exact) return exact;
    return this.#matchWildcard(path);
  }

  #matchWildcard(path: string): PathRule | undefined {
    let best: Pick<GlobRule, 'wcPath' | 'isPrefix' | 'firstWildcard' | 'plusCount'> | undefined;
    let bestRule: PathRule | undefined;
    for (const group of this.#prefixGroups) {
      const len = group.length;
      if (len > path.length) continue;
      let found: [string, PathRule] | undefined;
      if (group.few) {
        for (const entry of group.few) {
          if (path.startsWith(entry[0])) {
            found = entry;
            break;
          }
        }
      } else {
        const prefix = path.slice(0, len);
        const rule = this.#prefix.get(prefix);
        if (rule) found = [prefix, rule];
      }
      if (found) {
        best = { wcPath: found[0], isPrefix: true, firstWildcard: len, plusCount: 0 };
        bestRule = found[1];
        break;
      }
    }
    if (this.#globs.length === 0) return bestRule;
    const parts = path.split('/');
    for (const g of this.#globs) {
      // Sorted by priority: once a glob ranks below the best prefix rule, none later can win.
      if (best && comparePriority(g, best) < 0) break;
      if (globMatches(g, parts)) return g.rule;
    }
    return bestRule;
  }

  /**
   * May `op` run on `path` with `data`? `path` is the canonical request path (no leading slash);
   * for `list`, it is matched as Vault's router sees it, with a trailing `/` (so
   * `secret/metadata/app/*` grants LIST on `secret/metadata/app`), after the exact rules for the
   * path with and without that slash.
   */
  allowOperation(path: string, op: Operation, data?: Record<string, unknown>): AclResult {
    if (this.root) return { allowed: true, sudo: true, capabilities: ['root'] };
    path = trimLeadingSlash(path);
    let rule: PathRule | undefined;
    if (op === 'list') {
      const listPath = path.endsWith('/') ? path : `${path}/`;
      rule =
        this.#exact.get(listPath) ?? this.#exact.get(listPath.slice(0, -1)) ?? this.#matchWildcard(listPath);
    } else {
      rule = this.#match(path);
    }
    if (!rule) return { allowed: false, sudo: false, capabilities: [], reason: 'no-capability' };
    const caps = rule.capabilities as readonly string[];
    const result: AclResult = { allowed: false, sudo: caps.includes('sudo'), capabilities: [...caps] };
    if (!caps.includes(op)) return { ...result, reason: 'no-capability' };
    if (op === 'read' || op === 'create' || op === 'update' || op === 'patch') {
      const reason = checkParameters(rule, data ?? {});
      if (reason) return { ...result, reason };
    }
    result.allowed = true;
    if (rule.minWrappingTTL) result.minWrappingTTL = rule.minWrappingTTL;
    if (rule.maxWrappingTTL) result.maxWrappingTTL = rule.maxWrappingTTL;
    return result;
  }

  /**
   * What sys/capabilities answers for `path`: sorted capabilities, `['root']` for a root ACL,
   * `['deny']` when nothing matches or the rule denies. Never looks at storage.
   */
  capabilities(path: string): string[] {
    if (this.root) return ['root'];
    const rule = this.#match(trimLeadingSlash(path));
    if (!rule || rule.capabilities.length === 0) return ['deny'];
    return [...rule.capabilities];
  }

  /**
   * Whether any rule grants something at or below a mount path (`secret/`): what
   * sys/internal/ui/mounts shows a token, as Vault does. A rule whose pattern could reach below the
   * mount counts (`secret/data/app/*`, `+/data/*`); a deny-only rule does not.
   */
  hasMountAccess(mountPath: string): boolean {
    if (this.root) return true;
    const grants = (rule: PathRule) => rule.capabilities.length > 0 && !rule.capabilities.includes('deny');
    const reaches = (literal: string) => literal.startsWith(mountPath) || mountPath.startsWith(literal);
    for (const [k, rule] of this.#exact) if (grants(rule) && `${k}/`.startsWith(mountPath)) return true;
    for (const [k, rule] of this.#prefix) if (grants(rule) && reaches(k)) return true;
    for (const g of this.#globs) {
      const plus = g.pattern.indexOf('+');
      const literal = (plus === -1 ? g.pattern : g.pattern.slice(0, plus)).replace(/\*$/, '');
      if (grants(g.rule) && reaches(literal)) return true;
    }
    return false;
  }

  /** sys/internal/ui/resultant-acl: every rule, exact ones and wildcard ones. */
  resultant(): { exact_paths: Record<string, unknown>; glob_paths: Record<string, unknown>; root: boolean } {
    const exact: Record<string, unknown> = {};
    const glob: Record<string, unknown> = {};
    if (this.root) return { exact_paths: exact, glob_paths: glob, root: true };
    const put = (into: Record<string, unknown>, key: string, rule: PathRule) =>
      Object.defineProperty(into, key, {
        value: ruleJSON(rule),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    for (const [k, rule] of this.#exact) put(exact, k, rule);
    for (const [k, rule] of this.#prefix) put(glob, k, rule);
    for (const g of this.#globs) put(glob, g.pattern, g.rule);
    return { exact_paths: exact, glob_paths: glob, root: false };
  }
}

function trimLeadingSlash(path: string): string {
  return path.startsWith('/') ? path.replace(/^\/+/, '') : path;
}

function globMatches(g: GlobRule, parts: readonly string[]): boolean {
  const segs = g.segments!;
  if (g.isPrefix ? parts.length < segs.length : parts.length !== segs.length) return false;
  const last = segs.length - 1;
  for (let i = 0; i <= last; i++) {
    const s = segs[i]!;
    const p = parts[i]!;
    if (s === '+' || s === p) continue;
    if (g.isPrefix && i === last && p.startsWith(s)) continue;
    return false;
  }
  return true;
}

function ruleJSON(rule: PathRule): Record<string, unknown> {
  const out: Record<string, unknown> = { capabilities: [...rule.capabilities] };
  if (rule.allowedParameters) out.allowed_parameters = rule.allowedParameters;
  if (rule.deniedParameters) out.denied_parameters = rule.deniedParameters;
  if (rule.requiredParameters) out.required_parameters = rule.requiredParameters;
  if (rule.minWrappingTTL) out.min_wrapping_ttl = rule.minWrappingTTL;
  if (rule.maxWrappingTTL) out.max_wrapping_ttl = rule.maxWrappingTTL;
  return out;
}

/** Vault's order: required, then (with data) denied, then allowed. */
function checkParameters(rule: PathRule, data: Record<string, unknown>): AclReason | undefined {
  const keys = Object.keys(data);
  const present = new Set(keys.map((k) => k.toLowerCase()));
  for (const req of rule.requiredParameters ?? []) {
    if (!present.has(req)) return 'missing-required-parameter';
  }
  if (keys.length === 0) return undefined;
  const denied = rule.deniedParameters;
  if (denied && Object.keys(denied).length > 0) {
    if (Object.hasOwn(denied, '*')) return 'denied-parameter';
    for (const key of keys) {
      const list = ownParam(denied, key.toLowerCase());
      if (list && valueIn(data[key], list, 'any')) return 'denied-parameter';
    }
  }
  const allowed = rule.allowedParameters;
  if (allowed && Object.keys(allowed).length > 0) {
    const allowAll = Object.hasOwn(allowed, '*');
    if (allowAll && Object.keys(allowed).length === 1) return undefined;
    for (const key of keys) {
      const list = ownParam(allowed, key.toLowerCase());
      if (!list) {
        if (!allowAll) return 'parameter-not-allowed';
        continue;
      }
      if (!valueIn(data[key], list, 'every')) return 'parameter-not-allowed';
    }
  }
  return undefined;
}

function ownParam(
  params: Readonly<Record<string, ParameterValues>>,
  key: string,
): ParameterValues | undefined {
  return Object.hasOwn(params, key) ? params[key] : undefined;
}

/**
 * Is the request value in the policy's list? `[]` holds every value. A list-valued request value
 * is checked element by element: for allowed values every element must be allowed, for denied
 * values any denied element denies.
 */
function valueIn(v: unknown, list: ParameterValues, mode: 'any' | 'every'): boolean {
  if (list.length === 0) return true;
  if (Array.isArray(v) && !list.some((el) => Array.isArray(el))) {
    return mode === 'every' ? v.every((x) => oneIn(x, list)) : v.some((x) => oneIn(x, list));
  }
  return oneIn(v, list);
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Scalars compare by string form (JSON numbers and CLI strings alike); policy strings may glob. */
function oneIn(v: unknown, list: ParameterValues): boolean {
  for (const el of list) {
    if (isScalar(el) && isScalar(v)) {
      if (typeof el === 'string' ? globbedStringsMatch(el, String(v)) : String(el) === String(v)) return true;
    } else if (isDeepStrictEqual(el, v)) {
      return true;
    }
  }
  return false;
}

/**
 * Vault's value globs: `*foo*` contains, `*foo` ends with, `foo*` starts with; a pattern shorter
 * than two characters (so `*` itself) matches only itself.
 */
export function globbedStringsMatch(item: string, val: string): boolean {
  if (item.length < 2) return val === item;
  const starts = item.startsWith('*');
  const ends = item.endsWith('*');
  if (starts && ends) return val.includes(item.slice(1, -1));
  if (starts) return val.endsWith(item.slice(1));
  if (ends) return val.startsWith(item.slice(0, -1));
  return val === item;
}
