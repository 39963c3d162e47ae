import type { Logger } from '../logger.ts';
import type { LeaseInfo, Operation, Request, Response } from '../request.ts';
import type { StorageView } from '../storage-view.ts';
import type { SystemView } from '../system.ts';
import type { Fields, FieldValues } from './fields.ts';

/** What a mounted backend knows about its mount. */
export interface MountInfo {
  /** e.g. `secret/` */
  readonly path: string;
  readonly type: string;
  readonly accessor: string;
  readonly uuid: string;
  readonly options: Readonly<Record<string, string>>;
}

/** Everything a handler may use. Engines get nothing of core but this. */
export interface HandlerContext {
  readonly req: Request;
  readonly storage: StorageView;
  readonly system: SystemView;
  readonly logger: Logger;
  readonly mount: MountInfo;
  /** The request data as sent (after validation), for freeform paths. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export type Handler<F extends Fields> = (
  ctx: HandlerContext,
  fields: FieldValues<F>,
) => Promise<Response | undefined | void> | Response | undefined | void;

export interface PathHelp {
  readonly synopsis: string;
  readonly description: string;
}

export interface PathDefinition<F extends Fields = Fields> {
  /**
   * Segments separated by `/`: literals, `:name` (one segment), `:name*` (the rest, may be
   * empty), `:name+` (the rest, at least one segment).
   */
  readonly pattern: string;
  readonly fields: F;
  /** Accept keys beyond the declared fields (KV v1 data). They reach the handler in ctx.raw. */
  readonly freeform?: boolean;
  /** Decides create vs update for POST/PUT; without it a write is an update. */
  readonly exists?: (ctx: HandlerContext, fields: FieldValues<F>) => Promise<boolean>;
  readonly operations: Partial<Record<Operation, Handler<F>>>;
  /**
   * Operations that need no token: sys/init and the like, and auth methods' login paths.
   * Core ignores it on secrets engines.
   */
  readonly unauthenticated?: readonly Operation[];
  /**
   * Login paths: the alias name a login would use (username, role id), known before the
   * credentials are checked, so core can refuse a locked-out user without running the login.
   */
  readonly aliasLookahead?: (
    ctx: HandlerContext,
    fields: FieldValues<F>,
  ) => Promise<string | undefined> | string | undefined;
  readonly help: PathHelp;
  /** Response field descriptions per operation, for OpenAPI (optional). */
  readonly responses?: Partial<Record<Operation, Record<string, string>>>;
}

export function definePath<F extends Fields>(def: PathDefinition<F>): PathDefinition<F> {
  return def;
}

/** The lifecycle of one kind of leased secret a backend issues (Vault's framework.Secret). */
export interface SecretDefinition {
  /** Ends the secret in the outside system (drop the database user). Must be idempotent. */
  revoke(ctx: SecretContext, lease: LeaseInfo): Promise<void>;
  /** Extends it; returns the TTL granted (seconds). Absent: not renewable. */
  renew?(ctx: SecretContext, lease: LeaseInfo, increment: number): Promise<{ ttl: number } | undefined>;
}

export type SecretContext = Omit<HandlerContext, 'req' | 'raw'>;

export interface BackendDefinition {
  /** The mount type, e.g. `kv`. */
  readonly type: string;
  readonly description: string;
  readonly paths: readonly PathDefinition<any>[];
  readonly help: string;
  /** Leased secret types, by `SecretResult.type`. */
  readonly secrets?: Readonly<Record<string, SecretDefinition>>;
}

export function defineBackend(def: BackendDefinition): BackendDefinition {
  return def;
}
