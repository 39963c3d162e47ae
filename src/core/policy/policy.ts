/**
 * The parsed form of an ACL policy, shared by the parser, the ACL and the store. A policy is a
 * list of path rules; a rule's `path` is the pattern as written (leading `/` dropped), still
 * holding its `*`, `+` and `{{identity...}}` templates: the ACL classifies it when it compiles.
 */

/** Every capability a policy may grant, in the order Vault documents them. */
export const CAPABILITIES = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** A parameter's value list: `[]` means any value. Values are JSON scalars, lists or objects. */
export type ParameterValues = readonly unknown[];

export interface PathRule {
  /** The pattern: `secret/app`, `secret/*`, `secret/+/config`, `secret/{{identity.entity.id}}/*`. */
  readonly path: string;
  /** Sorted, without duplicates; exactly `['deny']` when the rule denies. */
  readonly capabilities: readonly Capability[];
  /** Parameter name (lower-cased) → allowed values. Absent = any parameter. */
  readonly allowedParameters?: Readonly<Record<string, ParameterValues>>;
  /** Parameter name (lower-cased) → denied values (`[]` = any value). */
  readonly deniedParameters?: Readonly<Record<string, ParameterValues>>;
  /** Lower-cased names the request must carry. */
  readonly requiredParameters?: readonly string[];
  /** Seconds. */
  readonly minWrappingTTL?: number;
  readonly maxWrappingTTL?: number;
}

export interface Policy {
  /** Lower-cased. */
  readonly name: string;
  /** The text as written (HCL or JSON). */
  readonly raw: string;
  /** One rule per distinct pattern, in order of first appearance. */
  readonly paths: readonly PathRule[];
  /** Some path holds `{{...}}`: its ACL depends on the identity. */
  readonly templated: boolean;
}

export const ROOT_POLICY_NAME = 'root';
export const DEFAULT_POLICY_NAME = 'default';
export const RESPONSE_WRAPPING_POLICY_NAME = 'response-wrapping';

/** The special policy that allows everything, sudo included. Never stored. */
export const ROOT_POLICY: Policy = Object.freeze({ name: 'root', raw: '', paths: [], templated: false });

/** Sorted unique capabilities; `deny` anywhere leaves only `deny`. */
export function normalizeCapabilities(caps: Iterable<Capability>): Capability[] {
  const set = new Set(caps);
  if (set.has('deny')) return ['deny'];
  return [...set].sort();
}

/**
 * Two rules on the same pattern (in one policy, or in several policies given to one token)
 * become one, as Vault merges them: capabilities are unioned and `deny` wins; parameter lists are
 * concatenated, and a key whose list is `[]` (any value) on either side stays `[]`; required
 * parameters are unioned; of the wrapping TTLs the lower non-zero value is kept (Vault's rule,
 * for the minimum as for the maximum).
 */
export function mergeRules(a: PathRule, b: PathRule): PathRule {
  const capabilities = normalizeCapabilities([...a.capabilities, ...b.capabilities]);
  const out: {
    -readonly [K in keyof PathRule]: PathRule[K];
  } = { path: a.path, capabilities };
  const allowed = mergeParams(a.allowedParameters, b.allowedParameters);
  if (allowed) out.allowedParameters = allowed;
  const denied = mergeParams(a.deniedParameters, b.deniedParameters);
  if (denied) out.deniedParameters = denied;
  if (a.requiredParameters || b.requiredParameters) {
    out.requiredParameters = [...new Set([...(a.requiredParameters ?? []), ...(b.requiredParameters ?? [])])];
  }
  const min = lowerNonZero(a.minWrappingTTL, b.minWrappingTTL);
  if (min !== undefined) out.minWrappingTTL = min;
  const max = lowerNonZero(a.maxWrappingTTL, b.maxWrappingTTL);
  if (max !== undefined) out.maxWrappingTTL = max;
  return out;
}

function mergeParams(
  a: Readonly<Record<string, ParameterValues>> | undefined,
  b: Readonly<Record<string, ParameterValues>> | undefined,
): Record<string, ParameterValues> | undefined {
  if (!a && !b) return undefined;
  const out = new Map<string, ParameterValues>(Object.entries(a ?? {}));
  for (const [key, values] of Object.entries(b ?? {})) {
    const existing = out.get(key);
    if (existing === undefined) out.set(key, values);
    else if (existing.length === 0 || values.length === 0) out.set(key, []);
    else out.set(key, [...existing, ...values]);
  }
  return ownRecord(out);
}

function lowerNonZero(a: number | undefined, b: number | undefined): number | undefined {
  const vals = [a, b].filter((v): v is number => v !== undefined && v > 0);
  return vals.length === 0 ? undefined : Math.min(...vals);
}

/** A plain object with own properties only, so keys like `__proto__` stay data. */
export function ownRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries) {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
