import {
  documentEntries,
  groupEntries,
  HclDecoder,
  type HclEntry,
  type HclPos,
  type HclSection,
  kindName,
  suggestKey,
  toJSONLike,
} from '../../hcl/index.ts';
import { BadRequestError } from '../../sdk/errors.ts';
import { parseDuration } from '../../sdk/framework/duration.ts';
import {
  CAPABILITIES,
  type Capability,
  mergeRules,
  normalizeCapabilities,
  ownRecord,
  type ParameterValues,
  type PathRule,
  type Policy,
} from './policy.ts';

/**
 * Vault's ACL policy language, in HCL or its JSON form:
 *
 *     path "secret/data/app/*" {
 *       capabilities = ["create", "read", "update"]
 *       allowed_parameters = { "color" = ["red", "blu*"] }
 *       min_wrapping_ttl = "1m"
 *     }
 *
 * Unknown keys and capabilities are refused with their line and column. Several blocks for one
 * pattern merge into one rule (capabilities unioned, `deny` wins).
 */

const NAME_RE = /^[a-z0-9_.-]{1,128}$/;

/** A policy name as stored: trimmed, lower-cased, `[a-z0-9_.-]`, at most 128 characters. */
export function normalizePolicyName(name: string): string {
  const n = name.trim().toLowerCase();
  if (!NAME_RE.test(n)) {
    throw new BadRequestError('invalid policy name: use 1 to 128 letters, digits, "_", "." or "-"');
  }
  return n;
}

/**
 * The legacy `policy = "..."` shorthand, as Vault maps it. Vault's "write" predates the `patch`
 * capability and was never widened to include it; we keep that, so a legacy "write" policy
 * grants exactly what it grants in Vault.
 */
export const LEGACY_POLICIES: Readonly<Record<string, readonly Capability[]>> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

const TOP_KEYS = ['name', 'path'];
const PATH_KEYS = [
  'comment',
  'policy',
  'capabilities',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
];
/** Vault Enterprise keys: known, but Coffer does not implement them. */
const UNSUPPORTED_KEYS = ['mfa_methods', 'control_group', 'subscribe_event_types'];

const fail = (reason: string, pos: HclPos | undefined): Error =>
  new BadRequestError(
    `failed to parse policy: ${pos ? `line ${pos.line}, column ${pos.column}: ` : ''}${reason}`,
  );

export function parsePolicy(name: string, text: string): Policy {
  const policyName = normalizePolicyName(name);
  const { entries } = documentEntries(text, fail, 'policy');

  const d = new HclDecoder(fail);
  const groups = groupEntries(entries);
  checkKeys(groups, TOP_KEYS, '');
  const nameEntry = d.single(groups.get('name'), '');
  if (nameEntry) d.string(nameEntry, ''); // accepted for compatibility; the API name wins

  const rules = new Map<string, PathRule>();
  for (const e of groups.get('path') ?? []) {
    for (const section of d.sections(e, 1, 'path "secret/*" { capabilities = ["read"] }')) {
      const rule = parseRule(d, section);
      const existing = rules.get(rule.path);
      rules.set(rule.path, existing ? mergeRules(existing, rule) : rule);
    }
  }
  const paths = [...rules.values()];
  return Object.freeze({
    name: policyName,
    raw: text,
    paths,
    templated: paths.some((p) => p.path.includes('{{')),
  });
}

function checkKeys(groups: Map<string, HclEntry[]>, known: readonly string[], where: string): void {
  for (const [key, list] of groups) {
    if (known.includes(key)) continue;
    const pos = list[0]!.pos;
    if (UNSUPPORTED_KEYS.includes(key)) throw fail(`${where}"${key}" is not supported`, pos);
    const hint = suggestKey(key, known);
    throw fail(`${where}unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`, pos);
  }
}

function parseRule(d: HclDecoder, section: HclSection): PathRule {
  const label = section.labels[0]!;
  const path = label.startsWith('/') ? label.slice(1) : label;
  const where = `path ${JSON.stringify(label)}: `;
  if (path === '') throw fail(`${where}the path must not be empty`, section.pos);
  const groups = groupEntries(section.entries);
  checkKeys(groups, PATH_KEYS, where);
  const one = (key: string) => d.single(groups.get(key), where);

  const comment = one('comment');
  if (comment) d.string(comment, where);

  const caps: Capability[] = [];
  const legacy = one('policy');
  if (legacy) {
    const value = d.string(legacy, where);
    const mapped = LEGACY_POLICIES[value];
    if (!mapped) throw fail(`${where}invalid policy ${JSON.stringify(value)}`, legacy.value?.pos);
    caps.push(...mapped);
  }
  const capsEntry = one('capabilities');
  if (capsEntry) {
    const v = d.scalar(capsEntry, where, 'a list of strings');
    if (v.kind !== 'list') throw fail(`${where}"capabilities" must be a list, not ${kindName(v)}`, v.pos);
    for (const item of v.items) {
      if (item.kind !== 'string' || !(CAPABILITIES as readonly string[]).includes(item.value)) {
        const shown = item.kind === 'string' ? JSON.stringify(item.value) : kindName(item);
        throw fail(`${where}invalid capability ${shown}`, item.pos);
      }
      caps.push(item.value as Capability);
    }
  }

  const rule: { -readonly [K in keyof PathRule]: PathRule[K] } = {
    path,
    capabilities: normalizeCapabilities(caps),
  };
  const allowed = one('allowed_parameters');
  if (allowed) rule.allowedParameters = parameters(d, allowed, where);
  const denied = one('denied_parameters');
  if (denied) rule.deniedParameters = parameters(d, denied, where);
  const required = one('required_parameters');
  if (required) {
    const v = d.scalar(required, where, 'a list of strings');
    if (v.kind !== 'list' || v.items.some((i) => i.kind !== 'string')) {
      throw fail(`${where}"required_parameters" must be a list of strings`, v.pos);
    }
    rule.requiredParameters = [
      ...new Set(v.items.map((i) => (i.kind === 'string' ? i.value.toLowerCase() : ''))),
    ];
  }
  const min = one('min_wrapping_ttl');
  if (min) rule.minWrappingTTL = duration(d, min, where);
  const max = one('max_wrapping_ttl');
  if (max) rule.maxWrappingTTL = duration(d, max, where);
  if (rule.minWrappingTTL && rule.maxWrappingTTL && rule.maxWrappingTTL < rule.minWrappingTTL) {
    throw fail(`${where}max_wrapping_ttl cannot be less than min_wrapping_ttl`, max?.pos);
  }
  return rule;
}

/** `{ "key" = ["v1", "v2*"], "other" = [] }`, as an attribute, a block or JSON. Keys lower-cased. */
function parameters(d: HclDecoder, e: HclEntry, where: string): Record<string, ParameterValues> {
  let raw: unknown;
  if (e.block) {
    if (e.block.labels.length > 0) throw fail(`${where}"${e.key}" takes no labels`, e.pos);
    raw = toJSONLike(e.block.body);
  } else {
    const v = d.scalar(e, where, 'an object');
    if (v.kind !== 'object') throw fail(`${where}"${e.key}" must be an object, not ${kindName(v)}`, v.pos);
    raw = toJSONLike(v);
  }
  const out = new Map<string, ParameterValues>();
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : value === null ? [] : [value];
    const k = key.toLowerCase();
    const existing = out.get(k);
    out.set(k, existing === undefined ? values : [...existing, ...values]);
  }
  return ownRecord(out);
}

function duration(d: HclDecoder, e: HclEntry, where: string): number {
  const v = d.scalar(e, where, 'a duration');
  const secs = v.kind === 'string' || v.kind === 'number' ? parseDuration(v.value) : undefined;
  if (secs === undefined || secs < 0) {
    throw fail(`${where}"${e.key}" must be a duration such as "30s" or "1h"`, v.pos);
  }
  return secs;
}
