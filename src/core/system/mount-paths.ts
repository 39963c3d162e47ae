import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  InvalidFieldError,
  NotFoundError,
  PermissionDeniedError,
} from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import type { Request } from '../../sdk/request.ts';
import type { Core } from '../core.ts';
import {
  kindOf,
  type MountConfig,
  type MountEntry,
  type MountKind,
  normalizeMountPath,
} from '../router/mount-table.ts';

/** The JSON Vault shows for a mount. */
export function mountJSON(e: MountEntry): Record<string, unknown> {
  return {
    accessor: e.accessor,
    config: {
      default_lease_ttl: e.config.default_lease_ttl,
      force_no_cache: e.config.force_no_cache,
      max_lease_ttl: e.config.max_lease_ttl,
      ...(e.config.audit_non_hmac_request_keys
        ? { audit_non_hmac_request_keys: e.config.audit_non_hmac_request_keys }
        : {}),
      ...(e.config.audit_non_hmac_response_keys
        ? { audit_non_hmac_response_keys: e.config.audit_non_hmac_response_keys }
        : {}),
      ...(e.config.listing_visibility ? { listing_visibility: e.config.listing_visibility } : {}),
      ...(e.config.passthrough_request_headers
        ? { passthrough_request_headers: e.config.passthrough_request_headers }
        : {}),
      ...(e.config.allowed_response_headers
        ? { allowed_response_headers: e.config.allowed_response_headers }
        : {}),
    },
    description: e.description,
    external_entropy_access: false,
    local: e.local,
    options: Object.keys(e.options).length ? e.options : null,
    plugin_version: '',
    running_plugin_version: `v${'0.1.0'}+builtin.coffer`,
    running_sha256: '',
    seal_wrap: e.seal_wrap,
    type: e.type,
    uuid: e.uuid,
  };
}

const configFields = {
  default_lease_ttl: f.duration({ description: 'Default lease TTL of the mount (0 = server default)' }),
  max_lease_ttl: f.duration({ description: 'Maximum lease TTL of the mount (0 = server default)' }),
  force_no_cache: f.bool({ description: 'Accepted for compatibility' }),
  audit_non_hmac_request_keys: f.commaList({ description: 'Request keys audit devices log in the clear' }),
  audit_non_hmac_response_keys: f.commaList({ description: 'Response keys audit devices log in the clear' }),
  listing_visibility: f.string({
    description: '"unauth" or "hidden" (UI listing)',
    allowed: ['', 'unauth', 'hidden'],
  }),
  passthrough_request_headers: f.commaList({ description: 'Headers passed to the backend' }),
  allowed_response_headers: f.commaList({ description: 'Headers the backend may set' }),
};

/** Parses a `config` map of a mount-enable request with the same rules as tune. */
function parseMountConfig(raw: Record<string, unknown> | undefined, into: MountConfig): void {
  if (!raw) return;
  for (const [k, v] of Object.entries(raw)) {
    const spec = (configFields as Record<string, (typeof configFields)[keyof typeof configFields]>)[k];
    if (!spec) throw new InvalidFieldError(`unknown field "config.${k}"`);
    if (k === 'default_lease_ttl' && v === 'system') continue;
    if (k === 'max_lease_ttl' && v === 'system') continue;
    (into as unknown as Record<string, unknown>)[k] = spec.parse(`config.${k}`, v);
  }
}

function checkTTLs(core: Core, c: MountConfig): void {
  const def = c.default_lease_ttl || core.defaultLeaseTTL;
  const max = c.max_lease_ttl || core.maxLeaseTTL;
  if (c.max_lease_ttl > core.maxLeaseTTL)
    throw new BadRequestError('max_lease_ttl is greater than the server maximum');
  if (def > max) throw new BadRequestError('default_lease_ttl is greater than max_lease_ttl');
}

function parseOptions(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (typeof v === 'string') out[k] = v;
    else throw new InvalidFieldError(`field "options.${k}": expected a string`);
  }
  if (out.version !== undefined && out.version !== '1' && out.version !== '2') {
    throw new InvalidFieldError('field "options.version": expected "1" or "2"');
  }
  return out;
}

const authConfigFields = {
  user_lockout_config: f.map({
    description:
      'Lockout after failed logins: lockout_threshold, lockout_duration, lockout_counter_reset, disable_lockout',
  }),
  token_type: f.string({
    description: 'Type of tokens issued by the auth method',
    allowed: ['', 'default', 'default-service', 'default-batch', 'service', 'batch'],
  }),
};

interface Family {
  kind: MountKind;
  /** `mounts` or `auth`: the path below sys/. */
  prefix: string;
  noun: string;
  /** User path → table path. */
  normalize(input: string): string;
  /** Table path → the key sys/<prefix> lists it under. */
  display(path: string): string;
}

const FAMILIES: Family[] = [
  {
    kind: 'secret',
    prefix: 'mounts',
    noun: 'secrets engine',
    normalize: normalizeMountPath,
    display: (p) => p,
  },
  {
    kind: 'auth',
    prefix: 'auth',
    noun: 'auth method',
    normalize: (p) => `auth/${normalizeMountPath(p)}`,
    display: (p) => p.slice('auth/'.length),
  },
];

function tuneJSON(core: Core, e: MountEntry): Record<string, unknown> {
  const c = e.config;
  return {
    default_lease_ttl: c.default_lease_ttl || core.defaultLeaseTTL,
    max_lease_ttl: c.max_lease_ttl || core.maxLeaseTTL,
    force_no_cache: c.force_no_cache,
    description: e.description,
    options: Object.keys(e.options).length ? e.options : null,
    ...(c.audit_non_hmac_request_keys ? { audit_non_hmac_request_keys: c.audit_non_hmac_request_keys } : {}),
    ...(c.audit_non_hmac_response_keys
      ? { audit_non_hmac_response_keys: c.audit_non_hmac_response_keys }
      : {}),
    ...(c.listing_visibility ? { listing_visibility: c.listing_visibility } : {}),
    ...(c.passthrough_request_headers ? { passthrough_request_headers: c.passthrough_request_headers } : {}),
    ...(c.allowed_response_headers ? { allowed_response_headers: c.allowed_response_headers } : {}),
    ...(c.user_lockout_config ? { user_lockout_config: c.user_lockout_config } : {}),
    ...(c.token_type ? { token_type: c.token_type } : {}),
  };
}

/** sys/mounts… or sys/auth…: list, enable, read, disable, tune. */
function familyPaths(core: Core, fam: Family) {
  const tuneFields = fam.kind === 'auth' ? { ...configFields, ...authConfigFields } : configFields;
  const find = (path: string): MountEntry => {
    const entry = core.mounts.get(fam.normalize(path));
    if (!entry || kindOf(entry) !== fam.kind) throw new BadRequestError(`no ${fam.noun} at "${path}"`);
    return entry;
  };
  const all = () =>
    Object.fromEntries(
      core.mounts
        .all()
        .filter((e) => kindOf(e) === fam.kind)
        .map((e) => [fam.display(e.path), mountJSON(e)]),
    );
  return [
    definePath({
      pattern: fam.prefix,
      fields: {},
      operations: { read: () => ({ data: all() }) },
      help: {
        synopsis: `List the enabled ${fam.noun}s`,
        description: 'Every mount with its type, accessor, options and config.',
      },
    }),
    definePath({
      pattern: `${fam.prefix}/:path+/tune`,
      fields: {
        path: f.string({ description: 'Mount path', in: 'path' }),
        description: f.string({ description: 'Human-readable description of the mount' }),
        options: f.map({ description: 'Mount options; kv takes "version"' }),
        ...tuneFields,
      },
      operations: {
        read: (_ctx, v) => ({ data: tuneJSON(core, find(v.path!)) }),
        update: async (ctx, v) => {
          const e = find(v.path!);
          if (e.builtin && e.type === 'system') throw new BadRequestError(`cannot tune "${e.path}"`);
          const config: MountConfig = structuredClone(e.config);
          const raw = ctx.raw;
          parseMountConfig(
            Object.fromEntries(Object.entries(raw).filter(([k]) => k in configFields)),
            config,
          );
          if (raw.default_lease_ttl === 'system') config.default_lease_ttl = 0;
          if (raw.max_lease_ttl === 'system') config.max_lease_ttl = 0;
          if (fam.kind === 'auth') {
            const av = v as { user_lockout_config?: Record<string, unknown>; token_type?: string };
            if (av.user_lockout_config !== undefined)
              config.user_lockout_config = core.validateLockoutConfig(av.user_lockout_config);
            if (av.token_type !== undefined) config.token_type = av.token_type;
          }
          checkTTLs(core, config);
          const options = { ...e.options, ...parseOptions(v.options) };
          if (e.type === 'kv' && (e.options.version ?? '1') !== (options.version ?? '1')) {
            throw new BadRequestError('changing the KV version of an existing mount is not supported');
          }
          const updated = await core.mounts.update(e.path, (m) => {
            m.config = config;
            m.options = options;
            if (v.description !== undefined) m.description = v.description;
          });
          await core.router.unmount(updated);
          await core.router.mount(updated);
          return {};
        },
      },
      help: {
        synopsis: `Read or tune a ${fam.noun}`,
        description: 'TTLs, description, options and audit settings of a mount.',
      },
    }),
    definePath({
      pattern: `${fam.prefix}/:path+`,
      fields: {
        path: f.string({ description: 'Mount path', in: 'path' }),
        type: f.string({
          description:
            fam.kind === 'auth'
              ? 'Auth method type (userpass, approle, ...)'
              : 'Engine type (kv, kv-v2, ...)',
        }),
        description: f.string({ description: 'Human-readable description', default: '' }),
        config: f.map({ description: 'default_lease_ttl, max_lease_ttl and other mount config' }),
        options: f.map({ description: 'Mount options; kv takes "version"' }),
        local: f.bool({ description: 'Accepted for compatibility (no replication)', default: false }),
        seal_wrap: f.bool({ description: 'Accepted for compatibility', default: false }),
        external_entropy_access: f.bool({ description: 'Not supported; must be false' }),
        plugin_name: f.string({ description: 'Alias of type' }),
        plugin_version: f.string({ description: 'Must be empty: only built-in engines exist' }),
      },
      operations: {
        read: (_ctx, v) => ({ data: mountJSON(find(v.path!)) }),
        update: async (_ctx, v) => {
          const path = fam.normalize(v.path!);
          let type = v.type ?? v.plugin_name;
          if (!type) throw new InvalidFieldError('missing required field "type"');
          if (v.external_entropy_access)
            throw new InvalidFieldError('external_entropy_access is not supported');
          if (v.plugin_version)
            throw new InvalidFieldError('plugin_version is not supported: only built-in engines exist');
          const options = parseOptions(v.options);
          if (fam.kind === 'secret' && (type === 'kv-v2' || type === 'kv-v1')) {
            options.version = type === 'kv-v2' ? '2' : '1';
            type = 'kv';
          }
          if (!core.canMount(type, fam.kind)) throw new BadRequestError(`unknown ${fam.noun} type "${type}"`);
          core.mounts.checkFree(path, fam.kind);
          const config: MountConfig = { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false };
          parseMountConfig(v.config, config);
          checkTTLs(core, config);
          const entry = await core.mounts.add({
            path,
            type,
            description: v.description ?? '',
            options,
            config,
            local: v.local ?? false,
            seal_wrap: v.seal_wrap ?? false,
            ...(fam.kind === 'auth' ? { table: 'auth' as const } : {}),
          });
          try {
            await core.router.mount(entry);
          } catch (err) {
            await core.mounts.remove(path);
            throw err;
          }
          core.logger.info('core: mounted', { path, type });
          return {};
        },
        delete: async (_ctx, v) => {
          const path = fam.normalize(v.path!);
          const entry = core.mounts.get(path);
          if (!entry || kindOf(entry) !== fam.kind) return {};
          if (entry.builtin) throw new BadRequestError(`cannot disable "${path}"`);
          await core.unmountRevoking(entry);
          await core.mounts.remove(path);
          const view = core.router.view(entry);
          const keys = await view.listAll();
          for (let i = 0; i < keys.length; i += 500) {
            await view.batch(keys.slice(i, i + 500).map((key) => ({ op: 'delete' as const, key })));
          }
          core.logger.info('core: unmounted', { path, keys_removed: keys.length });
          return {};
        },
      },
      help: {
        synopsis: `Enable, read or disable a ${fam.noun}`,
        description: 'POST enables it at the path; DELETE disables it and removes all its data.',
      },
    }),
  ];
}

/** Which mounts the caller may see in sys/internal/ui/mounts: those its ACL reaches, or `unauth` listing. */
async function visibleTo(core: Core, req: Request): Promise<(e: MountEntry) => boolean> {
  const acl = await core.access.aclForRequest(req);
  return (e) => e.config.listing_visibility === 'unauth' || (acl?.hasMountAccess(e.path) ?? false);
}

/** sys/mounts, sys/auth (each with tune), sys/remount, sys/internal/ui/mounts. */
export function mountPaths(core: Core) {
  const migrations = new Map<string, { source_mount: string; target_mount: string; status: string }>();
  return [
    ...FAMILIES.flatMap((fam) => familyPaths(core, fam)),
    definePath({
      pattern: 'remount',
      fields: {
        from: f.string({ description: 'Current mount path', required: true }),
        to: f.string({ description: 'New mount path', required: true }),
      },
      operations: {
        update: async (_ctx, v) => {
          const from = normalizeMountPath(v.from!);
          const to = normalizeMountPath(v.to!);
          const entry = core.mounts.get(from);
          if (!entry) throw new BadRequestError(`no mount at "${from}"`);
          if (entry.builtin) throw new BadRequestError(`cannot remount "${from}"`);
          const kind = kindOf(entry);
          if ((kind === 'auth') !== to.startsWith('auth/'))
            throw new BadRequestError('cannot move a mount between secrets engines and auth methods');
          // The mount itself counts too: Vault refuses a move onto, below or around its own path.
          core.mounts.checkFree(to, kind);
          // As Vault: what the mount issued under its old path is revoked (leases, and an auth
          // method's tokens); its configuration and data move.
          await core.unmountRevoking(entry);
          const moved = await core.mounts.update(from, (m) => {
            m.path = to;
          });
          await core.router.mount(moved);
          const id = randomUUID();
          migrations.set(id, { source_mount: from, target_mount: to, status: 'success' });
          core.logger.info('core: remounted', { from, to });
          return { data: { migration_id: id } };
        },
      },
      help: {
        synopsis: 'Move a mount to another path',
        description:
          'Data stays where it is (stored by mount id); only the path changes. Leases issued under the old path, and the tokens of a moved auth method, are revoked first. Done before the call returns.',
      },
    }),
    definePath({
      pattern: 'remount/status/:migration_id',
      fields: { migration_id: f.string({ description: 'Id returned by sys/remount', in: 'path' }) },
      operations: {
        read: (_ctx, v) => {
          const m = migrations.get(v.migration_id!);
          if (!m) throw new NotFoundError();
          return { data: { migration_id: v.migration_id, migration_info: m } };
        },
      },
      help: {
        synopsis: 'Status of a remount',
        description: 'Remounts complete synchronously, so a known id is always "success".',
      },
    }),
    definePath({
      pattern: 'internal/ui/mounts',
      fields: {},
      unauthenticated: ['read'],
      operations: {
        read: async (ctx) => {
          const visible = await visibleTo(core, ctx.req);
          const of = (kind: MountKind) =>
            Object.fromEntries(
              core.mounts
                .all()
                .filter((e) => kindOf(e) === kind && visible(e))
                .map((e) => [FAMILIES.find((f) => f.kind === kind)!.display(e.path), mountJSON(e)]),
            );
          return { data: { secret: of('secret'), auth: of('auth') } };
        },
      },
      help: {
        synopsis: 'Mounts for the UI',
        description:
          'Secrets engines and auth methods the caller can reach (any token may ask; it sees only what its policies touch).',
      },
    }),
    definePath({
      pattern: 'internal/ui/mounts/:path+',
      fields: { path: f.string({ description: 'A path inside a mount', in: 'path' }) },
      unauthenticated: ['read'],
      operations: {
        read: async (ctx, v) => {
          const e = core.mounts.match(v.path!);
          const visible = await visibleTo(core, ctx.req);
          if (!e || e.type === 'system' || !visible(e)) throw new PermissionDeniedError();
          return { data: { ...mountJSON(e), path: e.path } };
        },
      },
      help: {
        synopsis: 'The mount a path is in',
        description:
          'Used by CLIs to find the mount (and KV version) of a path; 403 unless the caller can reach that mount.',
      },
    }),
  ];
}
