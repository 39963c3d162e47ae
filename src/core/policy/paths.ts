import { BadRequestError, NotFoundError } from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import type { Request, Response } from '../../sdk/request.ts';
import type { ACL } from './acl.ts';
import type { PolicyStore } from './store.ts';

/** What the policy endpoints need from core: the store, and the ACL behind a token. */
export interface PolicyPathDeps {
  readonly store: Pick<PolicyStore, 'getText' | 'put' | 'delete' | 'list'>;
  /** The ACL of a token id; undefined when the token is unknown or expired. */
  aclForToken(token: string): Promise<ACL | undefined>;
  /** The ACL of the token an accessor belongs to; undefined when the accessor is unknown. */
  aclForAccessor(accessor: string): Promise<ACL | undefined>;
  /** The ACL of the calling token (core has resolved it into `req.auth`); undefined without one. */
  aclForRequest(req: Request): Promise<ACL | undefined>;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Vault accepts a policy base64-encoded: text that is valid standard base64 is decoded. */
export function decodePolicyText(text: string): string {
  if (text !== '' && STRICT_BASE64.test(text)) {
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    if (!decoded.includes('\uFFFD')) return decoded;
  }
  return text;
}

const nameField = f.string({ description: 'Name of the policy (case-insensitive)', in: 'path' });

function listResponse(keys: string[], legacy: boolean): Response {
  return { data: legacy ? { keys, policies: keys } : { keys } };
}

async function writePolicy(deps: PolicyPathDeps, name: string, text: string | undefined): Promise<Response> {
  if (!text) throw new BadRequestError("'policy' parameter not supplied or empty");
  await deps.store.put(name, decodePolicyText(text));
  return {};
}

async function readPolicy(deps: PolicyPathDeps, name: string): Promise<string> {
  const text = await deps.store.getText(name);
  if (text === undefined) throw new NotFoundError();
  return text;
}

function queriedPaths(v: { path?: string[] | undefined; paths?: string[] | undefined }): string[] {
  const paths = v.paths && v.paths.length > 0 ? v.paths : (v.path ?? []);
  if (paths.length === 0) throw new BadRequestError('missing path');
  return paths;
}

/** `{ "<path>": [...], ... }`, plus `capabilities` when one path was asked (as Vault answers). */
function capabilitiesResponse(acl: ACL, paths: string[]): Response {
  const data: Record<string, unknown> = {};
  for (const p of paths) {
    Object.defineProperty(data, p, {
      value: acl.capabilities(p),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (paths.length === 1) data.capabilities = acl.capabilities(paths[0]!);
  return { data };
}

const pathFields = {
  path: f.commaList({ description: 'Deprecated: use "paths"' }),
  paths: f.commaList({ description: 'Paths whose capabilities are queried' }),
};

/** sys/policy, sys/policies/acl, sys/capabilities*, sys/internal/ui/resultant-acl. */
export function policyPaths(deps: PolicyPathDeps) {
  const listAll = async () => deps.store.list();
  return [
    definePath({
      pattern: 'policy',
      fields: {},
      operations: {
        read: async () => listResponse(await listAll(), true),
        list: async () => listResponse(await listAll(), true),
      },
      help: {
        synopsis: 'List the ACL policies',
        description: 'Names of every ACL policy, root included, as "keys" and "policies".',
      },
      responses: { read: { keys: 'Policy names', policies: 'Policy names (the same list)' } },
    }),
    definePath({
      pattern: 'policy/:name',
      fields: {
        name: nameField,
        policy: f.string({ description: 'The policy text (HCL or JSON, optionally base64-encoded)' }),
        rules: f.string({ description: 'Deprecated: the policy text; use "policy"' }),
      },
      operations: {
        read: async (_ctx, v) => {
          const text = await readPolicy(deps, v.name!);
          return { data: { name: v.name!.trim().toLowerCase(), rules: text } };
        },
        update: (_ctx, v) => writePolicy(deps, v.name!, v.policy || v.rules),
        delete: async (_ctx, v) => {
          await deps.store.delete(v.name!);
          return {};
        },
      },
      help: {
        synopsis: 'Read, write or delete an ACL policy (legacy path)',
        description:
          'The same policies as sys/policies/acl/:name. Reading answers the text as "rules"; writing takes "policy" (or "rules").',
      },
      responses: { read: { name: 'Policy name', rules: 'Policy text' } },
    }),
    definePath({
      pattern: 'policies/acl',
      fields: {},
      operations: { list: async () => listResponse(await listAll(), false) },
      help: {
        synopsis: 'List the ACL policies',
        description: 'Names of every ACL policy, root included.',
      },
      responses: { list: { keys: 'Policy names' } },
    }),
    definePath({
      pattern: 'policies/acl/:name',
      fields: {
        name: nameField,
        policy: f.string({ description: 'The policy text (HCL or JSON, optionally base64-encoded)' }),
      },
      operations: {
        read: async (_ctx, v) => {
          const text = await readPolicy(deps, v.name!);
          return { data: { name: v.name!.trim().toLowerCase(), policy: text } };
        },
        update: (_ctx, v) => writePolicy(deps, v.name!, v.policy),
        delete: async (_ctx, v) => {
          await deps.store.delete(v.name!);
          return {};
        },
      },
      help: {
        synopsis: 'Read, write or delete an ACL policy',
        description:
          'A policy grants capabilities on paths. "root" cannot be changed; "root" and "default" cannot be deleted.',
      },
      responses: { read: { name: 'Policy name', policy: 'Policy text' } },
    }),
    definePath({
      pattern: 'capabilities',
      fields: {
        token: f.string({ description: 'Token whose capabilities are queried', sensitive: true }),
        ...pathFields,
      },
      operations: {
        update: async (_ctx, v) => {
          const paths = queriedPaths(v);
          if (!v.token) throw new BadRequestError('missing token');
          const acl = await deps.aclForToken(v.token);
          if (!acl) throw new BadRequestError('invalid token');
          return capabilitiesResponse(acl, paths);
        },
      },
      help: {
        synopsis: 'Capabilities of a token on paths',
        description:
          'What the policies of the given token grant on each path, whether or not anything exists there.',
      },
      responses: { update: { capabilities: 'Capabilities on the path, when one path was asked' } },
    }),
    definePath({
      pattern: 'capabilities-accessor',
      fields: {
        accessor: f.string({ description: 'Accessor of the token whose capabilities are queried' }),
        ...pathFields,
      },
      operations: {
        update: async (_ctx, v) => {
          const paths = queriedPaths(v);
          if (!v.accessor) throw new BadRequestError('missing accessor');
          const acl = await deps.aclForAccessor(v.accessor);
          if (!acl) throw new BadRequestError('invalid accessor');
          return capabilitiesResponse(acl, paths);
        },
      },
      help: {
        synopsis: 'Capabilities of a token, named by its accessor, on paths',
        description: 'As sys/capabilities, with the token named by its accessor.',
      },
      responses: { update: { capabilities: 'Capabilities on the path, when one path was asked' } },
    }),
    definePath({
      pattern: 'capabilities-self',
      fields: {
        token: f.string({
          description: 'Token to query instead of the calling one (as Vault accepts)',
          sensitive: true,
        }),
        ...pathFields,
      },
      operations: {
        update: async (ctx, v) => {
          const paths = queriedPaths(v);
          const acl = v.token ? await deps.aclForToken(v.token) : await deps.aclForRequest(ctx.req);
          if (!acl) throw new BadRequestError('invalid token');
          return capabilitiesResponse(acl, paths);
        },
      },
      help: {
        synopsis: 'Capabilities of the calling token on paths',
        description: 'As sys/capabilities, for the token that makes the request.',
      },
      responses: { update: { capabilities: 'Capabilities on the path, when one path was asked' } },
    }),
    definePath({
      pattern: 'internal/ui/resultant-acl',
      fields: {},
      operations: {
        read: async (ctx) => {
          const acl = await deps.aclForRequest(ctx.req);
          if (!acl) return {};
          return { data: acl.resultant() };
        },
      },
      help: {
        synopsis: "The calling token's resultant ACL (internal)",
        description:
          'Every rule of the calling token\'s policies, as "exact_paths" and "glob_paths", and whether it is root. For UIs; the shape may change.',
      },
      responses: {
        read: {
          exact_paths: 'Exact rules by path',
          glob_paths: 'Wildcard rules by pattern',
          root: 'Root token',
        },
      },
    }),
  ];
}
