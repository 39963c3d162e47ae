import { defineBackend, definePath, f } from '../../sdk/framework/index.ts';
import { auditPaths } from '../audit/paths.ts';
import type { Core } from '../core.ts';
import { VERSION } from '../core.ts';
import { leasePaths } from '../expiration/index.ts';
import { lockoutPaths } from '../lockout/index.ts';
import { passwordPolicyPaths } from '../passwords/index.ts';
import { policyPaths } from '../policy/index.ts';
import { sysWrappingPaths } from '../wrapping/index.ts';
import { mountPaths } from './mount-paths.ts';
import { openapiDocument } from './openapi.ts';
import { sealPaths } from './seal-paths.ts';

/** The `sys/` backend: an engine like the others, given the core it controls. */
export function systemDefinition(core: Core) {
  return defineBackend({
    type: 'system',
    description: 'System endpoints: seal, mounts, health, specs',
    help: 'The system backend controls the server: initialization, sealing, key rotation and mounts.',
    paths: [
      ...sealPaths(core),
      ...mountPaths(core),
      ...policyPaths({
        store: core.policies,
        aclForToken: (t) => core.access.aclForToken(t),
        aclForAccessor: (a) => core.access.aclForAccessor(a),
        aclForRequest: (r) => core.access.aclForRequest(r),
      }),
      ...auditPaths({ broker: core.audit }),
      ...passwordPolicyPaths({ store: core.passwords }),
      ...leasePaths({ manager: core.expiration, revokeEntity: (id) => core.revokeEntity(id) }),
      ...lockoutPaths({ lockout: core.lockout }),
      ...sysWrappingPaths(core.wrappingDeps()),
      definePath({
        pattern: 'internal/specs/openapi',
        fields: {
          generic_mount_paths: f.bool({
            description: 'Accepted for compatibility; paths are always the mounted ones',
            in: 'query',
          }),
          context: f.string({ description: 'Accepted for compatibility', in: 'query' }),
        },
        operations: {
          read: () => ({
            raw: openapiDocument(
              VERSION,
              core.router
                .mounted()
                .map(({ entry, backend }) => ({ mountPath: entry.path, definition: backend.definition })),
            ),
          }),
        },
        help: {
          synopsis: 'OpenAPI document of every mounted path',
          description:
            'Generated from the path tables of the mounted engines, so it always matches what the server serves.',
        },
      }),
    ],
  });
}
