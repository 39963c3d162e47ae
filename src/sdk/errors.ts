/**
 * The error catalog. Every error Coffer returns is one of these classes; each carries a literal
 * `code` and an HTTP `status`, and the HTTP edge maps them once. Messages never contain secret
 * values or raw tokens. docs/errors.md documents every code (a test keeps them in step).
 */
export class CofferError extends Error {
  static readonly code: string = 'internal';
  static readonly status: number = 500;
  /** Extra fields for the client (never secrets). */
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
  get code(): string {
    return (this.constructor as typeof CofferError).code;
  }
  get status(): number {
    return (this.constructor as typeof CofferError).status;
  }
  /** What the client is told. 5xx errors say nothing of their cause. */
  get publicMessage(): string {
    return this.status >= 500 && this.status !== 503 ? 'internal error' : this.message;
  }
}

export class BadRequestError extends CofferError {
  static override readonly code: string = 'bad_request';
  static override readonly status: number = 400;
}
/** A field failed validation: missing, unknown, or of the wrong type. */
export class InvalidFieldError extends BadRequestError {
  static override readonly code = 'invalid_field';
}
export class MalformedJSONError extends BadRequestError {
  static override readonly code = 'malformed_json';
}
export class InvalidPathError extends BadRequestError {
  static override readonly code = 'invalid_path';
}
/** A check-and-set or similar precondition did not hold (Vault answers 400). */
export class PreconditionFailedError extends BadRequestError {
  static override readonly code = 'precondition_failed';
}
/** A login with a wrong password, secret id or the like. Counts towards lockout. */
export class InvalidCredentialsError extends BadRequestError {
  static override readonly code = 'invalid_credentials';
}
export class PermissionDeniedError extends CofferError {
  static override readonly code = 'permission_denied';
  static override readonly status = 403;
  constructor(message = 'permission denied', options?: { cause?: unknown }) {
    super(message, options);
  }
}
/** Nothing stored at the path. The edge answers 404 with `{"errors":[]}`, as Vault does. */
export class NotFoundError extends CofferError {
  static override readonly code = 'not_found';
  static override readonly status = 404;
  constructor(message = '', options?: { cause?: unknown }) {
    super(message, options);
  }
}
/** No mount or no path pattern matches. */
export class UnsupportedPathError extends CofferError {
  static override readonly code = 'unsupported_path';
  static override readonly status = 404;
}
export class UnsupportedOperationError extends CofferError {
  static override readonly code = 'unsupported_operation';
  static override readonly status = 405;
}
/** Too many requests (rate limits, lockout of a user after failed logins). */
export class TooManyRequestsError extends CofferError {
  static override readonly code = 'too_many_requests';
  static override readonly status = 429;
}
export class PayloadTooLargeError extends CofferError {
  static override readonly code = 'payload_too_large';
  static override readonly status = 413;
}
export class HeaderTooLargeError extends CofferError {
  static override readonly code = 'header_too_large';
  static override readonly status = 431;
}
export class UnsupportedMediaTypeError extends CofferError {
  static override readonly code = 'unsupported_media_type';
  static override readonly status = 415;
}
export class SealedError extends CofferError {
  static override readonly code = 'sealed';
  static override readonly status = 503;
  constructor(message = 'Coffer is sealed', options?: { cause?: unknown }) {
    super(message, options);
  }
}
export class NotInitializedError extends CofferError {
  static override readonly code = 'not_initialized';
  static override readonly status = 503;
  constructor(message = 'Coffer is not initialized', options?: { cause?: unknown }) {
    super(message, options);
  }
}
/** A stored value failed authentication: tampered, truncated or moved. Logged, never detailed. */
export class IntegrityError extends CofferError {
  static override readonly code = 'integrity';
  static override readonly status = 500;
}
export class InternalError extends CofferError {
  static override readonly code = 'internal';
  static override readonly status = 500;
}
export class StorageError extends CofferError {
  static override readonly code = 'storage';
  static override readonly status = 500;
}

/** Every class in the catalog, for the docs test and the edge. */
export const errorCatalog: ReadonlyArray<typeof CofferError> = [
  BadRequestError,
  InvalidFieldError,
  MalformedJSONError,
  InvalidPathError,
  PreconditionFailedError,
  InvalidCredentialsError,
  PermissionDeniedError,
  TooManyRequestsError,
  NotFoundError,
  UnsupportedPathError,
  UnsupportedOperationError,
  PayloadTooLargeError,
  HeaderTooLargeError,
  UnsupportedMediaTypeError,
  SealedError,
  NotInitializedError,
  IntegrityError,
  InternalError,
  StorageError,
];

/** Turns anything thrown into a catalog error; unknown errors become InternalError (cause kept). */
export function asCofferError(err: unknown): CofferError {
  if (err instanceof CofferError) return err;
  return new InternalError(err instanceof Error ? err.message : String(err), { cause: err });
}
