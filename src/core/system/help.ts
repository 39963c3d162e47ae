import { UnsupportedPathError } from '../../sdk/errors.ts';
import type { Request, Response } from '../../sdk/request.ts';
import type { Core } from '../core.ts';
import { openapiItem, openapiPath } from './openapi.ts';

/** The answer to `?help=1`: text from the path table, and its OpenAPI item. */
export function helpResponse(core: Core, req: Request): Response {
  const route = core.router.route(req.path);
  const backend = route?.backend;
  const match = backend?.match(route?.mountPath ?? '');
  if (!route || !backend || !match) throw new UnsupportedPathError('unsupported path');
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
