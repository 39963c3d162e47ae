/**
 * Identity templating in policy paths, as Vault does it:
 *
 *     path "secret/data/{{identity.entity.id}}/*" { capabilities = ["read"] }
 *
 * Supported expressions (spaces inside the braces are ignored):
 *   identity.entity.id | identity.entity.name | identity.entity.metadata.KEY
 *   identity.entity.aliases.MOUNT_ACCESSOR.id | .name | .metadata.KEY
 *   identity.groups.ids.GROUP_ID.name | identity.groups.names.GROUP_NAME.id
 *   identity.groups.ids.GROUP_ID.metadata.KEY | identity.groups.names.GROUP_NAME.metadata.KEY
 *
 * A path that cannot be rendered — unknown expression, missing value, unbalanced braces — is
 * dropped from the ACL (Vault does the same). A value that is empty or holds `*`, `+` or `/`
 * also drops the path: it would turn a literal segment into a glob or a different path.
 */
export interface TemplateIdentity {
  entity?: {
    id: string;
    name: string;
    metadata: Record<string, string>;
    aliases: Array<{ mountAccessor: string; name: string; id?: string; metadata: Record<string, string> }>;
  };
  groups: Array<{ id: string; name: string; metadata?: Record<string, string> }>;
}

const UNSAFE = /[*+/]/;

/** The path with every `{{...}}` replaced, or undefined when the rule must be dropped. */
export function renderTemplate(path: string, identity: TemplateIdentity | undefined): string | undefined {
  let out = '';
  let i = 0;
  while (i < path.length) {
    const open = path.indexOf('{{', i);
    if (open === -1) {
      if (path.indexOf('}}', i) !== -1) return undefined;
      out += path.slice(i);
      break;
    }
    const close = path.indexOf('}}', open + 2);
    if (close === -1 || path.slice(i, open).includes('}}')) return undefined;
    const expr = path.slice(open + 2, close).trim();
    if (expr.includes('{{')) return undefined;
    const value = identity ? lookup(expr, identity) : undefined;
    if (value === undefined || value === '' || UNSAFE.test(value)) return undefined;
    out += path.slice(i, open) + value;
    i = close + 2;
  }
  return out;
}

function own(record: Record<string, string> | undefined, key: string): string | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}

function lookup(expr: string, id: TemplateIdentity): string | undefined {
  const parts = expr.split('.');
  if (parts[0] !== 'identity') return undefined;
  const [, scope, a, b, c, d, ...extra] = parts;
  if (extra.length > 0) return undefined;
  if (scope === 'entity') {
    const e = id.entity;
    if (!e) return undefined;
    if (a === 'id' && b === undefined) return e.id;
    if (a === 'name' && b === undefined) return e.name;
    if (a === 'metadata' && b !== undefined && c === undefined) return own(e.metadata, b);
    if (a === 'aliases' && b !== undefined && c !== undefined) {
      const alias = e.aliases.find((al) => al.mountAccessor === b);
      if (!alias) return undefined;
      if (c === 'name' && d === undefined) return alias.name;
      if (c === 'id' && d === undefined) return alias.id;
      if (c === 'metadata' && d !== undefined) return own(alias.metadata, d);
    }
    return undefined;
  }
  if (scope === 'groups' && b !== undefined && c !== undefined) {
    const group =
      a === 'ids'
        ? id.groups.find((g) => g.id === b)
        : a === 'names'
          ? id.groups.find((g) => g.name === b)
          : undefined;
    if (!group) return undefined;
    if (c === 'name' && d === undefined) return group.name;
    if (c === 'id' && d === undefined) return group.id;
    if (c === 'metadata' && d !== undefined) return own(group.metadata, d);
  }
  return undefined;
}

/** A stable cache key for an identity (only what templates can read). */
export function identityKey(identity: TemplateIdentity | undefined): string {
  if (!identity) return '';
  const sorted = (r: Record<string, string> | undefined) =>
    r
      ? Object.keys(r)
          .sort()
          .map((k) => [k, r[k]])
      : [];
  return JSON.stringify([
    identity.entity
      ? [
          identity.entity.id,
          identity.entity.name,
          sorted(identity.entity.metadata),
          identity.entity.aliases.map((a) => [a.mountAccessor, a.name, a.id ?? '', sorted(a.metadata)]),
        ]
      : null,
    identity.groups.map((g) => [g.id, g.name, sorted(g.metadata)]),
  ]);
}
