import type { Operation } from '../sdk/request.ts';

/** What a request's method means for the edge. */
export type Verb = { operation: Operation; body: 'json' | 'json-or-query' | 'query' } | { refused: true };

/** Methods named in the `Allow` header of a 405. */
export const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, LIST';

/**
 * Maps an HTTP method to an operation. `method` is the method as the client sent it (LIST, not
 * the LOCK the framer made of it). `listFlag` is `?list=true`; `path` the canonical API path.
 * Writes take their data from the JSON body; reads from the query; LIST and DELETE from the body,
 * or from the query when the body is empty.
 */
export function verbFor(method: string, listFlag: boolean, path: string): Verb {
  switch (method) {
    case 'GET':
      return { operation: listFlag ? 'list' : 'read', body: 'query' };
    case 'HEAD':
      return path === 'sys/health' ? { operation: 'read', body: 'query' } : { refused: true };
    case 'LIST':
      return { operation: 'list', body: 'json-or-query' };
    case 'POST':
    case 'PUT':
      return { operation: 'update', body: 'json' };
    case 'PATCH':
      return { operation: 'patch', body: 'json' };
    case 'DELETE':
      return { operation: 'delete', body: 'json-or-query' };
    default:
      return { refused: true };
  }
}
