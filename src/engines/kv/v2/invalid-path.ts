import { definePath, type Handler, type Operation, type Response } from '../../../sdk/index.ts';
import { secretPath } from './fields.ts';

const CLI_VERB: Record<Operation, string> = {
  read: 'get',
  list: 'list',
  create: 'put',
  update: 'put',
  patch: 'patch',
  delete: 'delete',
};

/**
 * Any other path of a v2 mount (`secret/foo` instead of `secret/data/foo`): Vault answers 404 with
 * a warning, no error, so clients written for v1 get a hint.
 */
const answer: Handler<{ path: ReturnType<typeof secretPath> }> = (ctx): Response => ({
  status: 404,
  warnings: [
    'Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints ' +
      `to use. If using the Vault CLI, use 'vault kv ${CLI_VERB[ctx.req.operation]}' for this operation.`,
  ],
});

export const invalidPath = definePath({
  pattern: ':path*',
  fields: { path: secretPath('Any path that is not one of the engine’s endpoints.') },
  freeform: true,
  operations: { read: answer, list: answer, create: answer, update: answer, patch: answer, delete: answer },
  help: {
    synopsis: 'Not an endpoint of a versioned K/V engine.',
    description: 'Use data/, metadata/, delete/, undelete/, destroy/, subkeys/ or config.',
  },
});
