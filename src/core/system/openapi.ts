import { schemaOf } from '../../sdk/framework/fields.ts';
import type { BackendDefinition, PathDefinition } from '../../sdk/framework/path.ts';
import type { Operation } from '../../sdk/request.ts';

/** `data/:path+` under `secret/` → `/secret/data/{path}`. */
export function openapiPath(mountPath: string, pattern: string): string {
  const segs =
    pattern === ''
      ? []
      : pattern.split('/').map((s) => (s.startsWith(':') ? `{${s.slice(1).replace(/[*+]$/, '')}}` : s));
  return `/${mountPath}${segs.join('/')}`.replace(/\/$/, '') || '/';
}

function pathParams(pattern: string): string[] {
  return pattern
    .split('/')
    .filter((s) => s.startsWith(':'))
    .map((s) => s.slice(1).replace(/[*+]$/, ''));
}

const slug = (s: string) =>
  s
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The OpenAPI item of one declared path, mounted at `mountPath` (e.g. `secret/`). */
export function openapiItem(
  mountPath: string,
  type: string,
  def: PathDefinition<any>,
): Record<string, unknown> {
  const params = pathParams(def.pattern);
  const path = openapiPath(mountPath, def.pattern);
  const fields = Object.entries(def.fields as Record<string, ReturnType<typeof Object>>) as Array<
    [string, any]
  >;
  const bodyFields = fields.filter(([name]) => !params.includes(name));
  const item: Record<string, unknown> = {
    description: def.help.synopsis,
    ...(params.length
      ? {
          parameters: params.map((name) => ({
            name,
            description: def.fields[name]?.description ?? name,
            in: 'path',
            required: true,
            schema: { type: 'string' },
          })),
        }
      : {}),
    'x-coffer-mount-type': type,
  };
  const ops = def.operations as Partial<Record<Operation, unknown>>;
  const base = (op: string) => ({
    summary: def.help.synopsis,
    description: def.help.description,
    operationId: `${op}-${slug(path)}`,
    tags: [mountPath === 'sys/' ? 'system' : type],
    responses: { '200': { description: 'OK' }, '204': { description: 'No content' } },
    ...(def.unauthenticated ? { security: [] } : {}),
  });
  const queryParams = bodyFields.map(([name, spec]) => ({
    name,
    description: spec.description,
    in: 'query',
    schema: schemaOf(spec),
  }));
  if (ops.read || ops.list) {
    item.get = {
      ...base(ops.read ? 'read' : 'list'),
      parameters: [
        ...(ops.list
          ? [
              {
                name: 'list',
                description: 'Return a list of keys',
                in: 'query',
                required: !ops.read,
                schema: { type: 'string', enum: ['true'] },
              },
            ]
          : []),
        ...(ops.read ? queryParams : []),
      ],
    };
  }
  const body = {
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: Object.fromEntries(
            bodyFields.map(([name, spec]) => [
              name,
              {
                ...schemaOf(spec),
                description: spec.description,
                ...(spec.sensitive ? { 'x-coffer-sensitive': true } : {}),
              },
            ]),
          ),
          ...(bodyFields.some(([, s]) => s.required)
            ? { required: bodyFields.filter(([, s]) => s.required).map(([n]) => n) }
            : {}),
          ...(def.freeform ? { additionalProperties: true } : {}),
        },
      },
    },
  };
  if (ops.create || ops.update) item.post = { ...base('write'), requestBody: body };
  if (ops.patch) {
    item.patch = {
      ...base('patch'),
      requestBody: { content: { 'application/merge-patch+json': body.content['application/json'] } },
    };
  }
  if (ops.delete) item.delete = base('delete');
  return item;
}

export function openapiDocument(
  version: string,
  mounts: Array<{ mountPath: string; definition: BackendDefinition }>,
): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const { mountPath, definition } of mounts) {
    for (const def of definition.paths)
      paths[openapiPath(mountPath, def.pattern)] = openapiItem(mountPath, definition.type, def);
  }
  return {
    openapi: '3.0.2',
    info: {
      title: 'Coffer',
      description: 'HTTP API of Coffer, generated from the path tables of the mounted engines.',
      version,
      license: { name: 'Apache-2.0' },
    },
    servers: [{ url: '/v1' }],
    components: {
      securitySchemes: { token: { type: 'apiKey', in: 'header', name: 'X-Vault-Token' } },
      schemas: {},
    },
    security: [{ token: [] }],
    paths,
  };
}
