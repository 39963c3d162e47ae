import {
  BadRequestError,
  InvalidFieldError,
  NotFoundError,
  UnsupportedOperationError,
} from '../../sdk/errors.ts';
import { f } from '../../sdk/framework/fields.ts';
import { definePath, type HandlerContext } from '../../sdk/framework/path.ts';
import type { Response } from '../../sdk/request.ts';
import type { ExpirationManager } from './manager.ts';

/** What the `sys/leases*` paths need. */
export interface LeasePathDeps {
  manager: ExpirationManager;
  /** `sys/leases/revoke-entity`: revokes every token and lease of an entity (identity + token store). */
  revokeEntity?(entityId: string): Promise<{ tokens: number; leases: number }>;
  /**
   * Vault's revoke-prefix / revoke-force also revoke the tokens created under an auth path
   * (`auth/userpass/login`). Optional: without it only secret leases are revoked.
   */
  revokeTokenPrefix?(prefix: string, opts: { sync: boolean; force: boolean }): Promise<number>;
}

const leaseId = (o: { required?: boolean; in?: 'path' | 'body' } = {}) =>
  f.string({ description: 'The lease id (as returned with the secret)', ...o });
const increment = f.duration({
  description: 'Requested extension of the lease, in seconds (0: its original TTL)',
});
const sync = f.bool({
  description: 'Wait for the backend revocation (true, default) or queue it and answer 202 (false)',
  default: true,
});
const prefixField = f.string({ description: 'Lease id prefix, e.g. "database/creds/readonly"', in: 'path' });

function parseLimit(v: unknown): number {
  if (v === undefined || v === null || v === '') return 10_000;
  if (v === 'none') return Number.POSITIVE_INFINITY;
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidFieldError('field "limit": expected a positive integer or "none"');
  return n;
}

/** The `sys/` paths of leases (patterns relative to `sys/`). Sudo on lookup-list/revoke-prefix/force is the ACL's job. */
export function leasePaths(deps: LeasePathDeps) {
  const m = deps.manager;

  const lookup = async (_ctx: HandlerContext, v: { lease_id?: string | undefined }): Promise<Response> => {
    const data = await m.lookup(v.lease_id ?? '');
    if (!data) throw new BadRequestError('invalid lease');
    return { data };
  };
  const list = async (prefix: string): Promise<Response> => {
    const keys = await m.list(prefix);
    if (keys.length === 0) throw new NotFoundError();
    return { data: { keys } };
  };
  const renew = async (
    _ctx: HandlerContext,
    v: { lease_id?: string | undefined; increment?: number | undefined },
  ): Promise<Response> => {
    if (!v.lease_id) throw new InvalidFieldError('missing required field "lease_id"');
    const r = await m.renew(v.lease_id, v.increment ?? 0);
    return {
      status: 200,
      envelope: { lease_id: r.lease.leaseId, renewable: r.lease.renewable, lease_duration: r.ttl },
      ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
    };
  };
  const revoke = async (
    _ctx: HandlerContext,
    v: { lease_id?: string | undefined; sync?: boolean | undefined },
  ): Promise<Response> => {
    if (!v.lease_id) throw new InvalidFieldError('missing required field "lease_id"');
    await m.revoke(v.lease_id, { sync: v.sync !== false });
    return v.sync === false ? { status: 202 } : {};
  };
  const revokePrefix = async (
    _ctx: HandlerContext,
    v: { prefix?: string | undefined; sync?: boolean | undefined },
  ): Promise<Response> => {
    const s = v.sync !== false;
    await m.revokePrefix(v.prefix!, { sync: s });
    await deps.revokeTokenPrefix?.(v.prefix!, { sync: s, force: false });
    return s ? {} : { status: 202 };
  };
  const revokeForce = async (_ctx: HandlerContext, v: { prefix?: string | undefined }): Promise<Response> => {
    const ids = await m.revokeForce(v.prefix!);
    const tokens = (await deps.revokeTokenPrefix?.(v.prefix!, { sync: true, force: true })) ?? 0;
    const warnings = [
      `force-removed ${ids.length} lease(s) under "${v.prefix}" without revoking them in their backend; ` +
        'the secrets they stand for may still be valid',
    ];
    if (tokens > 0) warnings.push(`revoked ${tokens} token(s) under "${v.prefix}"`);
    return { warnings };
  };

  const renewFields = { lease_id: leaseId(), increment };
  const renewIdFields = { lease_id: leaseId({ in: 'path' }), increment };
  const revokeFields = { lease_id: leaseId(), sync };
  const revokeIdFields = { lease_id: leaseId({ in: 'path' }), sync };
  const prefixFields = { prefix: prefixField, sync };
  const forceFields = { prefix: prefixField };

  const renewHelp = {
    synopsis: 'Renew a lease',
    description:
      'Extends a lease by `increment` seconds (0: its original TTL), never past its max TTL; the backend may grant less.',
  };
  const revokeHelp = {
    synopsis: 'Revoke a lease',
    description:
      'Revokes the secret in its backend and deletes the lease. sync=false queues it and answers 202. Unknown ids are a no-op.',
  };
  const prefixHelp = {
    synopsis: 'Revoke every lease under a prefix',
    description: 'Revokes all leases whose id starts with `prefix/`. Requires sudo.',
  };
  const forceHelp = {
    synopsis: 'Remove leases under a prefix without revoking them',
    description:
      'Deletes the leases WITHOUT calling their backend, for secrets that can never be revoked. Dangerous: the secrets may stay valid. Answers a warning with the count. Requires sudo.',
  };

  return [
    definePath({
      pattern: 'leases/lookup',
      fields: { lease_id: leaseId() },
      operations: { update: lookup, list: () => list('') },
      help: {
        synopsis: 'Look up a lease',
        description:
          'PUT {lease_id}: issue, expiry, last renewal, renewable and TTL. LIST: top-level prefixes.',
      },
    }),
    definePath({
      pattern: 'leases/lookup/:prefix+',
      fields: { prefix: f.string({ description: 'Prefix to list one level below', in: 'path' }) },
      operations: { list: (_ctx, v) => list(v.prefix!) },
      help: {
        synopsis: 'List leases under a prefix',
        description: 'One level of lease ids and folders. Requires sudo.',
      },
    }),
    definePath({
      pattern: 'leases/renew',
      fields: renewFields,
      operations: { update: renew },
      help: renewHelp,
    }),
    definePath({
      pattern: 'leases/renew/:lease_id+',
      fields: renewIdFields,
      operations: { update: renew },
      help: renewHelp,
    }),
    definePath({
      pattern: 'leases/revoke',
      fields: revokeFields,
      operations: { update: revoke },
      help: revokeHelp,
    }),
    definePath({
      pattern: 'leases/revoke/:lease_id+',
      fields: revokeIdFields,
      operations: { update: revoke },
      help: revokeHelp,
    }),
    definePath({
      pattern: 'leases/revoke-prefix/:prefix+',
      fields: prefixFields,
      operations: { update: revokePrefix },
      help: prefixHelp,
    }),
    definePath({
      pattern: 'leases/revoke-force/:prefix+',
      fields: forceFields,
      operations: { update: revokeForce },
      help: forceHelp,
    }),
    definePath({
      pattern: 'leases/revoke-entity',
      fields: {
        entity_id: f.string({ description: 'Entity whose tokens and leases are revoked', required: true }),
      },
      operations: {
        update: async (_ctx, v) => {
          if (!deps.revokeEntity) throw new UnsupportedOperationError('revoke-entity is not available');
          const r = await deps.revokeEntity(v.entity_id!);
          return { data: { tokens_revoked: r.tokens, leases_revoked: r.leases } };
        },
      },
      help: {
        synopsis: 'Revoke everything an entity holds',
        description: 'Revokes every token of the entity and every lease of those tokens.',
      },
    }),
    definePath({
      pattern: 'leases/tidy',
      fields: {},
      operations: {
        update: (ctx) => {
          m.tidy().catch((err: unknown) => ctx.logger.error('expiration: tidy failed', { error: err }));
          return { status: 202 };
        },
      },
      help: {
        synopsis: 'Clean up the lease index',
        description:
          'In the background: removes token index entries pointing at no lease, repairs missing ones and revokes leases whose token is gone. Never deletes a lease without its backend.',
      },
    }),
    definePath({
      pattern: 'leases/count',
      fields: {
        type: f.string({
          description: 'Only "irrevocable" (or empty: all leases)',
          allowed: ['', 'irrevocable'],
          in: 'query',
        }),
        include_child_namespaces: f.bool({
          description: 'Accepted for compatibility (no namespaces)',
          in: 'query',
        }),
      },
      operations: {
        read: (_ctx, v) => ({ data: m.count({ type: v.type === 'irrevocable' ? 'irrevocable' : '' }) }),
      },
      help: {
        synopsis: 'Count leases',
        description: 'lease_count and counts per mount uuid, of all leases or only the irrevocable ones.',
      },
    }),
    definePath({
      pattern: 'leases',
      fields: {
        type: f.string({ description: 'Must be "irrevocable"', allowed: ['irrevocable'], in: 'query' }),
        include_child_namespaces: f.bool({
          description: 'Accepted for compatibility (no namespaces)',
          in: 'query',
        }),
        limit: f.any({ description: 'At most this many (default 10000), or "none"', in: 'query' }),
      },
      operations: {
        read: async (_ctx, v) => {
          if (v.type !== 'irrevocable') throw new InvalidFieldError('field "type": expected "irrevocable"');
          const limit = parseLimit(v.limit);
          const r = await m.irrevocable({ limit });
          const res: Response = { data: { leases: r.leases, lease_count: r.lease_count } };
          if (r.total > r.lease_count)
            res.warnings = [
              `showing ${r.lease_count} of ${r.total} irrevocable leases; raise limit or use limit=none`,
            ];
          return res;
        },
      },
      help: {
        synopsis: 'List irrevocable leases',
        description:
          'Leases whose revocation failed repeatedly: id, mount, last error, expiry. Requires sudo.',
      },
    }),
    // Legacy paths (Vault's sys/renew, sys/revoke...).
    definePath({ pattern: 'renew', fields: renewFields, operations: { update: renew }, help: renewHelp }),
    definePath({
      pattern: 'renew/:lease_id+',
      fields: renewIdFields,
      operations: { update: renew },
      help: renewHelp,
    }),
    definePath({ pattern: 'revoke', fields: revokeFields, operations: { update: revoke }, help: revokeHelp }),
    definePath({
      pattern: 'revoke/:lease_id+',
      fields: revokeIdFields,
      operations: { update: revoke },
      help: revokeHelp,
    }),
    definePath({
      pattern: 'revoke-prefix/:prefix+',
      fields: prefixFields,
      operations: { update: revokePrefix },
      help: prefixHelp,
    }),
    definePath({
      pattern: 'revoke-force/:prefix+',
      fields: forceFields,
      operations: { update: revokeForce },
      help: forceHelp,
    }),
  ];
}
