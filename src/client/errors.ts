/**
 * Errors the client throws. Messages carry the method, the URL (without credentials or query)
 * and the server's `errors` — never a token or a request body.
 */

/** The server answered with a non-success status. */
export class CofferApiError extends Error {
  override readonly name = 'CofferApiError';
  readonly status: number;
  readonly errors: string[];
  readonly method: string;
  readonly url: string;

  constructor(args: { status: number; errors: string[]; method: string; url: string }) {
    super(formatApiError(args));
    this.status = args.status;
    this.errors = args.errors;
    this.method = args.method;
    this.url = args.url;
  }
}

/** The request never got an answer: connection refused, TLS failure, timeout, bad address. */
export class CofferConnectionError extends Error {
  override readonly name = 'CofferConnectionError';
  readonly method: string;
  readonly url: string;

  constructor(args: { method: string; url: string; cause: unknown }) {
    super(`${args.method} ${args.url}: ${describeCause(args.cause)}`, { cause: args.cause });
    this.method = args.method;
    this.url = args.url;
  }
}

/**
 * The server answered with a success status but without what the call needs (no `auth` block
 * after a login, no `wrap_info` after a wrapped request).
 */
export class CofferResponseError extends Error {
  override readonly name = 'CofferResponseError';
}

function formatApiError(args: { status: number; errors: string[]; method: string; url: string }): string {
  const lines = ['Error making API request.', '', `URL: ${args.method} ${args.url}`];
  if (args.errors.length === 0) {
    lines.push(`Code: ${args.status}. Errors:`, '', `* ${statusText(args.status)}`);
  } else {
    lines.push(`Code: ${args.status}. Errors:`, '', ...args.errors.map((e) => `* ${e}`));
  }
  return lines.join('\n');
}

function statusText(status: number): string {
  const known: Record<number, string> = {
    400: 'bad request',
    403: 'permission denied',
    404: 'not found',
    405: 'unsupported operation',
    412: 'precondition failed',
    429: 'too many requests',
    500: 'internal error',
    502: 'bad gateway',
    503: 'service unavailable',
  };
  return known[status] ?? `unexpected status ${status}`;
}

/** Flattens undici's "fetch failed" into the underlying reason (ECONNREFUSED, cert errors…). */
function describeCause(cause: unknown): string {
  let current: unknown = cause;
  let message = 'request failed';
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    const text =
      current.message !== ''
        ? current.message
        : current instanceof AggregateError
          ? String(current.errors[0]?.message ?? '')
          : '';
    if (typeof code === 'string' && !text.includes(code)) message = text === '' ? code : `${code} ${text}`;
    else if (text !== '') message = text;
    if (current.cause === undefined) break;
    current = current.cause;
  }
  return message;
}
