/** sys/audit, sys/audit/:path and sys/audit-hash/:path (sudo paths: the ACL enforces it). */
import { InvalidFieldError } from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import type { AuditBroker } from './broker.ts';

export interface AuditPathsDeps {
  broker: Pick<AuditBroker, 'list' | 'enable' | 'disable' | 'hash'>;
}

function parseOptions(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (typeof v === 'string') out[k] = v;
    else throw new InvalidFieldError(`field "options.${k}": expected a string`);
  }
  return out;
}

export function auditPaths(deps: AuditPathsDeps) {
  const { broker } = deps;
  return [
    definePath({
      pattern: 'audit',
      fields: {},
      operations: { read: () => ({ data: broker.list() }) },
      help: {
        synopsis: 'List the enabled audit devices',
        description:
          'Every enabled audit device by path, with its type, description, options and local flag.',
      },
    }),
    definePath({
      pattern: 'audit/:path+',
      fields: {
        path: f.string({ description: 'Path of the audit device, e.g. "file"', in: 'path' }),
        type: f.string({ description: 'Device type: "file" or "socket"', required: true }),
        description: f.string({ description: 'Human-readable description of the device', default: '' }),
        options: f.map({
          description:
            'Device options: file_path, mode (file); address, socket_type, write_timeout (socket); ' +
            'log_raw, hmac_accessor, format, prefix, elide_list_responses (all)',
        }),
        local: f.bool({ description: 'Accepted for compatibility (no replication)', default: false }),
      },
      operations: {
        update: async (_ctx, v) => {
          await broker.enable(v.path!, {
            type: v.type!,
            description: v.description ?? '',
            options: parseOptions(v.options),
            local: v.local ?? false,
          });
          return {};
        },
        delete: async (_ctx, v) => {
          await broker.disable(v.path!);
          return {};
        },
      },
      help: {
        synopsis: 'Enable or disable an audit device',
        description:
          'Enabling checks that the device can write (the file opens, the socket connects) and answers ' +
          '400 with the reason when it cannot. Once a device is enabled, a request that no device can ' +
          'log is refused.',
      },
    }),
    definePath({
      pattern: 'audit-hash/:path+',
      fields: {
        path: f.string({ description: 'Path of the audit device', in: 'path' }),
        input: f.string({ description: 'The value to hash', required: true, sensitive: true }),
      },
      operations: {
        update: (_ctx, v) => ({ data: { hash: broker.hash(v.path!, v.input!) } }),
      },
      help: {
        synopsis: 'Hash a value as an audit device would log it',
        description:
          'Returns the hmac-sha256 of the input with the device’s salt, to find a known value in the audit log.',
      },
    }),
  ];
}
