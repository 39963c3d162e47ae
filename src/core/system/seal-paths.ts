import { BadRequestError, InvalidFieldError, NotInitializedError, SealedError } from '../../sdk/errors.ts';
import { definePath, f } from '../../sdk/framework/index.ts';
import type { Response } from '../../sdk/request.ts';
import type { Core } from '../core.ts';
import { VERSION } from '../core.ts';

const unsupported = (name: string, v: unknown) => {
  const empty =
    v === undefined ||
    v === null ||
    v === '' ||
    v === 0 ||
    v === false ||
    (Array.isArray(v) && v.length === 0);
  if (!empty) throw new InvalidFieldError(`field "${name}" is not supported by Coffer`);
};

/** sys/init, seal-status, unseal, seal, health, key-status, rotate, rekey/*. */
export function sealPaths(core: Core) {
  const requireUnsealed = async () => {
    if (core.ready) return;
    if (!(await core.seal.isInitialized())) throw new NotInitializedError();
    throw new SealedError();
  };
  return [
    definePath({
      pattern: 'init',
      fields: {
        secret_shares: f.int({
          description: 'Number of key shares to split the unseal key into',
          min: 1,
          max: 255,
        }),
        secret_threshold: f.int({
          description: 'Number of shares required to reconstruct the unseal key',
          min: 1,
          max: 255,
        }),
        stored_shares: f.int({ description: 'Not supported (auto-unseal only); must be 0' }),
        pgp_keys: f.any({ description: 'Not supported; must be empty' }),
        root_token_pgp_key: f.string({ description: 'Not supported; must be empty' }),
        recovery_shares: f.int({ description: 'Not supported (auto-unseal only); must be 0' }),
        recovery_threshold: f.int({ description: 'Not supported (auto-unseal only); must be 0' }),
        recovery_pgp_keys: f.any({ description: 'Not supported; must be empty' }),
      },
      unauthenticated: ['read', 'update', 'create'],
      operations: {
        read: async () => ({ raw: { initialized: await core.seal.isInitialized() } }),
        update: async (_ctx, v) => {
          for (const k of [
            'stored_shares',
            'pgp_keys',
            'root_token_pgp_key',
            'recovery_shares',
            'recovery_threshold',
            'recovery_pgp_keys',
          ] as const) {
            unsupported(k, v[k]);
          }
          if (v.secret_shares === undefined || v.secret_threshold === undefined) {
            throw new InvalidFieldError('secret_shares and secret_threshold are required');
          }
          const { keys, rootToken } = await core.initialize({
            secret_shares: v.secret_shares,
            secret_threshold: v.secret_threshold,
          });
          const raw = {
            keys: keys.map((k) => k.toString('hex')),
            keys_base64: keys.map((k) => k.toString('base64')),
            root_token: rootToken,
          };
          for (const k of keys) k.fill(0);
          return { raw };
        },
      },
      help: {
        synopsis: 'Initialize a new Coffer server',
        description:
          'GET tells whether the server is initialized; POST initializes it and returns the unseal key shares and the first root token, once.',
      },
    }),
    definePath({
      pattern: 'seal-status',
      fields: {},
      unauthenticated: ['read'],
      operations: { read: async () => ({ raw: await core.seal.status() }) },
      help: {
        synopsis: 'Seal status',
        description: 'Whether the server is initialized and sealed, and the unseal progress.',
      },
    }),
    definePath({
      pattern: 'unseal',
      fields: {
        key: f.string({ description: 'One unseal key share, hex or base64', sensitive: true }),
        reset: f.bool({ description: 'Discard the shares submitted so far' }),
        migrate: f.bool({ description: 'Not supported; must be false' }),
      },
      unauthenticated: ['update', 'create'],
      operations: {
        update: async (_ctx, v) => {
          unsupported('migrate', v.migrate);
          if (v.reset) {
            core.seal.resetUnseal();
            return { raw: await core.seal.status() };
          }
          if (v.key === undefined || v.key === '')
            throw new InvalidFieldError('missing required field "key"');
          if (!(await core.seal.isInitialized())) throw new BadRequestError('Coffer is not initialized');
          return { raw: await core.submitUnsealKey(v.key) };
        },
      },
      help: {
        synopsis: 'Submit an unseal key share',
        description:
          'Once the threshold of shares is reached the server unseals. `reset` discards the progress.',
      },
    }),
    definePath({
      pattern: 'seal',
      fields: {},
      operations: {
        update: async () => {
          await core.sealNow();
          core.logger.info('core: sealed by request');
          return {};
        },
      },
      help: {
        synopsis: 'Seal the server',
        description: 'Zeroes the keys in memory; unseal keys are needed to unseal again. Needs a root token.',
      },
    }),
    definePath({
      pattern: 'health',
      fields: {
        standbyok: f.bool({ description: 'Answer 200 (not 429) on a standby', in: 'query' }),
        perfstandbyok: f.bool({ description: 'Answer 200 (not 473) on a performance standby', in: 'query' }),
        activecode: f.int({
          description: 'Status code when active (default 200)',
          in: 'query',
          min: 200,
          max: 599,
        }),
        standbycode: f.int({
          description: 'Status code when standby (default 429)',
          in: 'query',
          min: 200,
          max: 599,
        }),
        drsecondarycode: f.int({
          description: 'Status code for a DR secondary (default 472)',
          in: 'query',
          min: 200,
          max: 599,
        }),
        performancestandbycode: f.int({
          description: 'Status code for a performance standby (default 473)',
          in: 'query',
          min: 200,
          max: 599,
        }),
        sealedcode: f.int({
          description: 'Status code when sealed (default 503)',
          in: 'query',
          min: 200,
          max: 599,
        }),
        uninitcode: f.int({
          description: 'Status code when not initialized (default 501)',
          in: 'query',
          min: 200,
          max: 599,
        }),
      },
      unauthenticated: ['read'],
      operations: {
        read: async (_ctx, v): Promise<Response> => {
          const initialized = await core.seal.isInitialized();
          const sealed = !core.ready;
          const status = !initialized
            ? (v.uninitcode ?? 501)
            : sealed
              ? (v.sealedcode ?? 503)
              : (v.activecode ?? 200);
          return {
            status,
            raw: {
              initialized,
              sealed,
              standby: false,
              performance_standby: false,
              replication_performance_mode: 'disabled',
              replication_dr_mode: 'disabled',
              server_time_utc: Math.floor(Date.now() / 1000),
              version: VERSION,
              enterprise: false,
              cluster_name: 'coffer',
              echo_duration_ms: 0,
              clock_skew_ms: 0,
            },
          };
        },
      },
      help: {
        synopsis: 'Health of the server',
        description:
          '200 active, 429 standby, 501 not initialized, 503 sealed; the query parameters override each code.',
      },
    }),
    definePath({
      pattern: 'key-status',
      fields: {},
      operations: {
        read: async () => {
          await requireUnsealed();
          return { data: { ...core.barrier.keyStatus() } };
        },
      },
      help: {
        synopsis: 'The active encryption key term',
        description: 'Term and install time of the barrier key that encrypts new writes.',
      },
    }),
    definePath({
      pattern: 'rotate',
      fields: {},
      operations: {
        update: async () => {
          await requireUnsealed();
          const { term } = await core.barrier.rotate();
          core.logger.info('core: barrier key rotated', { term });
          return {};
        },
      },
      help: {
        synopsis: 'Rotate the barrier encryption key',
        description: 'Adds a new key term; new writes use it, older values still decrypt with their term.',
      },
    }),
    definePath({
      pattern: 'rekey/init',
      fields: {
        secret_shares: f.int({ description: 'Number of new key shares', min: 1, max: 255 }),
        secret_threshold: f.int({ description: 'Number of new shares needed to unseal', min: 1, max: 255 }),
        pgp_keys: f.any({ description: 'Not supported; must be empty' }),
        backup: f.bool({ description: 'Not supported; must be false' }),
        require_verification: f.bool({ description: 'Not supported; must be false' }),
      },
      unauthenticated: ['read', 'update', 'create', 'delete'],
      operations: {
        read: async () => {
          await requireUnsealed();
          return { raw: rekeyStatus(core.seal.rekeyStatus()) };
        },
        update: async (_ctx, v) => {
          await requireUnsealed();
          unsupported('pgp_keys', v.pgp_keys);
          unsupported('backup', v.backup);
          unsupported('require_verification', v.require_verification);
          if (v.secret_shares === undefined || v.secret_threshold === undefined) {
            throw new InvalidFieldError('secret_shares and secret_threshold are required');
          }
          return {
            raw: rekeyStatus(
              await core.seal.rekeyInit({
                secret_shares: v.secret_shares,
                secret_threshold: v.secret_threshold,
              }),
            ),
          };
        },
        delete: async () => {
          await requireUnsealed();
          core.seal.rekeyCancel();
          return {};
        },
      },
      help: {
        synopsis: 'Start, read or cancel a rekey',
        description:
          'A rekey makes new unseal key shares for the same root key; the old shares stop working.',
      },
    }),
    definePath({
      pattern: 'rekey/update',
      fields: {
        key: f.string({
          description: 'One current unseal key share, hex or base64',
          sensitive: true,
          required: true,
        }),
        nonce: f.string({ description: 'The nonce of the rekey in progress', required: true }),
      },
      unauthenticated: ['update', 'create'],
      operations: {
        update: async (_ctx, v) => {
          await requireUnsealed();
          const res = await core.seal.rekeyUpdate(v.key!, v.nonce!);
          return { raw: rekeyStatus(res) };
        },
      },
      help: {
        synopsis: 'Submit a current key share for the rekey',
        description: 'When the threshold of current shares is reached, returns the new shares, once.',
      },
    }),
  ];
}

function rekeyStatus(s: object): Record<string, unknown> {
  return { pgp_fingerprints: null, backup: false, verification_required: false, ...s };
}
