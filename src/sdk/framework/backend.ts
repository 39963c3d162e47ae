import { InvalidFieldError, UnsupportedOperationError, UnsupportedPathError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { LeaseInfo, Operation, Request, Response } from '../request.ts';
import type { StorageView } from '../storage-view.ts';
import type { SystemView } from '../system.ts';
import type { FieldSpec, Fields, FieldValues } from './fields.ts';
import type { BackendDefinition, HandlerContext, MountInfo, PathDefinition } from './path.ts';

/** What a backend is given when it is mounted. */
export interface BackendEnv {
  readonly storage: StorageView;
  readonly system: SystemView;
  readonly logger: Logger;
  readonly mount: MountInfo;
}

/** A mounted backend, as the router sees it. */
export interface Backend {
  readonly definition: BackendDefinition;
  /** Runs the request (its `mountPath` set by the router). */
  handle(req: Request): Promise<Response>;
  /** For create-or-update: undefined when the path has no existence check. */
  exists(req: Request): Promise<boolean | undefined>;
  /** Login paths: the alias name the login would use, before credentials are checked. */
  aliasLookahead(req: Request): Promise<string | undefined>;
  /** The path definition matching `mountPath`, with its captured parameters. */
  match(mountPath: string): PathMatch | undefined;
  /** Revokes a leased secret this backend issued (its definition's `secrets[lease.type]`). */
  revokeSecret(lease: LeaseInfo): Promise<void>;
  /** Renews one; undefined when the secret type cannot be renewed. */
  renewSecret(lease: LeaseInfo, increment: number): Promise<{ ttl: number } | undefined>;
  /** Called on unmount and seal. */
  cleanup?(): Promise<void>;
}

/** How a mount type builds its backend. */
export type BackendFactory = (env: BackendEnv) => Backend | Promise<Backend>;

export interface PathMatch {
  readonly path: PathDefinition<Fields>;
  readonly params: Record<string, string>;
}

type Segment =
  | { kind: 'lit'; value: string }
  | { kind: 'one'; name: string }
  | { kind: 'rest'; name: string; min: 0 | 1 };

export function compilePattern(pattern: string): Segment[] {
  if (pattern === '') return [];
  return pattern.split('/').map((s): Segment => {
    if (!s.startsWith(':')) return { kind: 'lit', value: s };
    if (s.endsWith('*')) return { kind: 'rest', name: s.slice(1, -1), min: 0 };
    if (s.endsWith('+')) return { kind: 'rest', name: s.slice(1, -1), min: 1 };
    return { kind: 'one', name: s.slice(1) };
  });
}

export function matchPattern(segments: Segment[], path: string): Record<string, string> | undefined {
  const parts = path === '' ? [] : path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.kind === 'rest') {
      // A rest segment may be followed by literal segments (`mounts/:path+/tune`): match those
      // from the end, the rest is what is between.
      const tail = segments.slice(i + 1);
      const restLen = parts.length - i - tail.length;
      if (restLen < seg.min) return undefined;
      for (let j = 0; j < tail.length; j++) {
        const t = tail[j]!;
        if (t.kind !== 'lit' || parts[i + restLen + j] !== t.value) return undefined;
      }
      const rest = parts.slice(i, i + restLen);
      if (rest.some((p) => p === '')) return undefined;
      params[seg.name] = rest.join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === '') return undefined;
    if (seg.kind === 'lit' && seg.value !== part) return undefined;
    if (seg.kind === 'one') params[seg.name] = part;
  }
  return parts.length === segments.length ? params : undefined;
}

/** A path's fields as entries, listed once per path table rather than on every request. */
const entriesOfFields = new WeakMap<Fields, [string, FieldSpec][]>();

function fieldEntries(fields: Fields): [string, FieldSpec][] {
  let entries = entriesOfFields.get(fields);
  if (entries === undefined) {
    entries = Object.entries(fields);
    entriesOfFields.set(fields, entries);
  }
  return entries;
}

/** Validates request data against a path's fields: required, unknown, typed. */
export function validateFields(
  def: PathDefinition<any>,
  params: Record<string, string>,
  data: Record<string, unknown>,
  operation: Operation,
): FieldValues<Fields> {
  const out: Record<string, unknown> = {};
  if (!def.freeform) {
    for (const key in data) {
      if (Object.hasOwn(data, key) && !Object.hasOwn(def.fields, key))
        throw new InvalidFieldError(`unknown field "${key}"`);
    }
  }
  for (const [name, spec] of fieldEntries(def.fields as Fields)) {
    let value: unknown = Object.hasOwn(params, name)
      ? params[name]
      : Object.hasOwn(data, name)
        ? data[name]
        : undefined;
    if (value === undefined || value === null) {
      const needed =
        spec.required && (operation === 'create' || operation === 'update') && !Object.hasOwn(params, name);
      if (needed) throw new InvalidFieldError(`missing required field "${name}"`);
      if (spec.default !== undefined) out[name] = spec.default;
      continue;
    }
    value = spec.parse(name, value);
    out[name] = value;
  }
  return out as FieldValues<Fields>;
}

/** Builds a Backend from its declaration: matching, validation, dispatch. */
export function createBackend(definition: BackendDefinition, env: BackendEnv): Backend {
  const compiled = definition.paths.map((path) => ({
    path: path as PathDefinition<Fields>,
    segments: compilePattern(path.pattern),
  }));

  const match = (mountPath: string): PathMatch | undefined => {
    for (const c of compiled) {
      const params = matchPattern(c.segments, mountPath);
      if (params) return { path: c.path, params };
    }
    return undefined;
  };

  const context = (req: Request, raw: Record<string, unknown>): HandlerContext => ({
    req,
    storage: env.storage,
    system: env.system,
    logger: env.logger,
    mount: env.mount,
    raw,
  });

  const prepare = (req: Request) => {
    const m = match(req.mountPath ?? '');
    if (!m) throw new UnsupportedPathError('unsupported path');
    const fields = validateFields(m.path, m.params, req.data, req.operation);
    return { m, fields };
  };

  return {
    definition,
    match,
    async handle(req) {
      const { m, fields } = prepare(req);
      const handler =
        m.path.operations[req.operation] ??
        (req.operation === 'create' ? m.path.operations.update : undefined);
      if (!handler) throw new UnsupportedOperationError('unsupported operation');
      const res = await handler(context(req, req.data), fields);
      return res ?? {};
    },
    async revokeSecret(lease) {
      const def = definition.secrets?.[lease.type];
      if (!def) throw new UnsupportedOperationError(`no secret type "${lease.type}" in ${definition.type}`);
      await def.revoke(
        { storage: env.storage, system: env.system, logger: env.logger, mount: env.mount },
        lease,
      );
    },
    async renewSecret(lease, increment) {
      const def = definition.secrets?.[lease.type];
      if (!def?.renew) return undefined;
      return def.renew(
        { storage: env.storage, system: env.system, logger: env.logger, mount: env.mount },
        lease,
        increment,
      );
    },
    async aliasLookahead(req) {
      const m = match(req.mountPath ?? '');
      if (!m?.path.aliasLookahead) return undefined;
      const fields = validateFields(m.path, m.params, req.data, req.operation);
      return m.path.aliasLookahead(context(req, req.data), fields);
    },
    async exists(req) {
      const m = match(req.mountPath ?? '');
      if (!m?.path.exists) return undefined;
      const fields = validateFields(m.path, m.params, req.data, req.operation);
      return m.path.exists(context(req, req.data), fields);
    },
  };
}
