import { BadRequestError } from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import type { Request } from '../../sdk/request.ts';
import { parseWrapTTL, WRAP_TTL_HEADER } from './ttl.ts';
import { lookupWrapping, markMustWrap, rewrap, storedToResponse, unwrap, type WrappingDeps } from './wrap.ts';

export interface WrappingPathDeps extends WrappingDeps {
  /** The request's own token (`X-Vault-Token` / bearer): `req.clientToken`. */
  tokenFromRequest(req: Request): string;
}

const token = f.string({ description: 'Wrapping token ID', sensitive: true });

/** The token in the body, else the request's own token (which is then the wrapping token). */
function pick(deps: WrappingPathDeps, req: Request, body: string | undefined): string {
  return body !== undefined && body !== '' ? body : deps.tokenFromRequest(req);
}

/** sys/wrapping/{wrap,unwrap,lookup,rewrap}; patterns are relative to `sys/`. */
export function sysWrappingPaths(deps: WrappingPathDeps) {
  return [
    definePath({
      pattern: 'wrapping/wrap',
      fields: {},
      freeform: true,
      operations: {
        update: (ctx) => {
          if (parseWrapTTL(ctx.req.headers[WRAP_TTL_HEADER], Number.MAX_SAFE_INTEGER) === undefined) {
            throw new BadRequestError('sys/wrapping/wrap requires response wrapping: set X-Vault-Wrap-TTL');
          }
          if (Object.keys(ctx.raw).length === 0) throw new BadRequestError('empty request body');
          // Core wraps it (the X-Vault-Wrap-TTL path); the marker forbids sending it unwrapped.
          return markMustWrap({ data: { ...ctx.raw } });
        },
      },
      help: {
        synopsis: 'Response-wraps an arbitrary JSON object.',
        description:
          'The request body is returned wrapped in a single-use token; X-Vault-Wrap-TTL is required.',
      },
    }),
    definePath({
      pattern: 'wrapping/unwrap',
      fields: { token },
      unauthenticated: ['update', 'create'],
      operations: {
        update: async (ctx, v) => storedToResponse(await unwrap(deps, pick(deps, ctx.req, v.token))),
      },
      help: {
        synopsis: 'Unwraps a response-wrapped token.',
        description:
          'Returns the wrapped response, once: the token is consumed and revoked. The token is given ' +
          'in the body, or as the request token (X-Vault-Token).',
      },
    }),
    definePath({
      pattern: 'wrapping/lookup',
      fields: { token },
      unauthenticated: ['read', 'update', 'create'],
      operations: {
        read: async (ctx, v) => ({ data: await lookupWrapping(deps, pick(deps, ctx.req, v.token)) }),
        update: async (ctx, v) => ({ data: await lookupWrapping(deps, pick(deps, ctx.req, v.token)) }),
      },
      help: {
        synopsis: 'Looks up the properties of a response-wrapped token.',
        description:
          'creation_path, creation_time and creation_ttl of a live wrapping token, without using it.',
      },
    }),
    definePath({
      pattern: 'wrapping/rewrap',
      fields: { token },
      // Holding the wrapping token is the whole authority (it could unwrap); core must not spend
      // its single use authenticating the request.
      unauthenticated: ['update', 'create'],
      operations: {
        update: (ctx, v) => rewrap(deps, pick(deps, ctx.req, v.token)),
      },
      help: {
        synopsis: 'Rotates a response-wrapped token.',
        description:
          'Moves the wrapped response to a new wrapping token with the same TTL and creation path; ' +
          'the old token is consumed.',
      },
    }),
  ];
}
