import { UnsupportedPathError } from '../../sdk/errors.ts';
import type { Backend } from '../../sdk/framework/backend.ts';
import type { Request, Response } from '../../sdk/request.ts';
import type { Core } from '../core.ts';
import { openapiItem, openapiPath } from './openapi.ts';

/** The answer to `?help=1` for a routed request. */
export function helpResponse(core: Core, req: Request): Response {
  const route = core.router.route(req.path);
  if (!route) throw new UnsupportedPathError('unsupported path');
  return helpFor(route.entry.path, route.backend, route.mountPath);
}

/** Help text from the path table, and its OpenAPI item, for `mountPath` in `backend` mounted at `mountPoint`. */
export function helpFor(mountPoint: string, backend: Backend, mountPath: string): Response {
  const match = backend.match(mountPath);
  if (!match) throw new UnsupportedPathError('unsupported path');
  const route = { entry: { path: mountPoint } };
  const def = match.path;
  const fields = Object.entries(def.fields)
    .map(
      ([name, spec]) =>
        `    ${name} (${spec.kind}${spec.required ? ', required' : ''})\n        ${spec.description}`,
    )
    .join('\n\n');
  const ops = Object.keys(def.operations).join(', ');
  const help = [
    `Request:        ${def.pattern}`,
    `Matching Route: ${route.entry.path}${def.pattern}`,
    '',
    def.help.synopsis,
    '',
    '## OPERATIONS',
    '',
    `    ${ops}`,
    '',
    '## PARAMETERS',
    '',
    fields || '    (none)',
    '',
    '## DESCRIPTION',
    '',
    def.help.description,
    '',
  ].join('\n');
  return {
    raw: {
      help,
      see_also: null,
      openapi: {
        openapi: '3.0.2',
        paths: {
          [openapiPath(route.entry.path, def.pattern)]: openapiItem(
            route.entry.path,
            backend.definition.type,
            def,
          ),
        },
      },
    },
  };
}
