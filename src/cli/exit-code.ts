/**
 * The CLI's exit codes, decided here and nowhere else, as Vault's CLI documents them:
 *
 *   0  success;
 *   1  a local error: unknown or malformed flags, the wrong number of arguments, input that
 *      fails validation or cannot be read (K=V data, @files, stdin);
 *   2  a remote error: the server answered with an error status (400, 403, 404, 500, …),
 *      could not be reached at all (connection refused, TLS failure, timeout), or answered
 *      without what the call needs (a login without an `auth` block). A client that cannot be
 *      set up (an address that is not a URL, a CA file that cannot be read, a token file that
 *      cannot be read) counts as remote too, as Vault exits 2 whenever it cannot build its client.
 *
 * A command prints "No value found at …" and exits 2 when the server has nothing at a path.
 * Where Vault documents its own codes for a command, Coffer's command says so in its help and
 * returns them itself: `status` (0 unsealed, 2 sealed, 1 error) and `operator init -status`
 * (0 initialized, 2 not initialized, 1 error).
 */
import { CofferApiError, CofferConnectionError, CofferResponseError } from '../client/index.ts';

export const EXIT_OK = 0;

/** The client could not be set up (see above); the message is the cause's. */
export class ClientSetupError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ClientSetupError';
  }
}
export const EXIT_LOCAL = 1;
export const EXIT_REMOTE = 2;

/** 2 when the error came from talking to the server, 1 for anything that went wrong here. */
export function exitCodeOf(error: unknown): typeof EXIT_LOCAL | typeof EXIT_REMOTE {
  const remote =
    error instanceof CofferApiError ||
    error instanceof CofferConnectionError ||
    error instanceof CofferResponseError ||
    error instanceof ClientSetupError;
  return remote ? EXIT_REMOTE : EXIT_LOCAL;
}
