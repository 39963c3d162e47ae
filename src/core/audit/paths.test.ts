import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileFactory } from '../../audit/file/file.ts';
import { BadRequestError, InvalidFieldError, UnsupportedOperationError } from '../../sdk/errors.ts';
import { createBackend } from '../../sdk/framework/backend.ts';
import { defineBackend, type FieldSpec } from '../../sdk/framework/index.ts';
import { silentLogger } from '../../sdk/logger.ts';
import type { Operation, Request } from '../../sdk/request.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { realSystemView } from '../../sdk/system.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { AuditBroker } from './broker.ts';
import { auditPaths } from './paths.ts';

const tmp = await mkdtemp(join(tmpdir(), 'coffer-audit-paths-'));
after(() => rm(tmp, { recursive: true, force: true }));

async function harness() {
  const inmem = new InmemStorage();
  const broker = new AuditBroker({
    storage: new StorageView(inmem, 'core/audit/'),
    factories: new Map([['file', fileFactory]]),
    logger: silentLogger,
    now: () => new Date(),
  });
  await broker.load();
  const definition = defineBackend({
    type: 'system',
    description: 'test',
    help: 'test sys',
    paths: auditPaths({ broker }),
  });
  const backend = createBackend(definition, {
    storage: new StorageView(inmem, 'sys/'),
    system: realSystemView(),
    logger: silentLogger,
    mount: { path: 'sys/', type: 'system', accessor: 'system_1', uuid: 'u', options: {} },
  });
  const call = (operation: Operation, mountPath: string, data: Record<string, unknown> = {}) => {
    const req: Request = {
      id: 'r',
      operation,
      path: `sys/${mountPath}`,
      data,
      headers: {},
      clientToken: 'root',
      remoteAddr: '127.0.0.1',
      mountPoint: 'sys/',
      mountPath,
    };
    return backend.handle(req);
  };
  return { broker, backend, call, definition };
}

describe('sys/audit paths', () => {
  it('every path has help and every field a description', async () => {
    const { definition } = await harness();
    for (const p of definition.paths) {
      assert.ok(p.help.synopsis && p.help.description, p.pattern);
      for (const [name, spec] of Object.entries(p.fields as Record<string, FieldSpec>)) {
        assert.ok(spec.description, `${p.pattern} ${name}`);
      }
    }
  });

  it('enable (204), list as Vault, audit-hash, disable (204)', async () => {
    const { call, broker } = await harness();
    const file = join(tmp, 'audit.log');
    const res = await call('update', 'audit/file', {
      type: 'file',
      description: 'main log',
      options: { file_path: file, hmac_accessor: false },
    });
    assert.deepEqual(res, {});
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const list = await call('read', 'audit');
    assert.deepEqual(list.data, {
      'file/': {
        type: 'file',
        description: 'main log',
        options: { file_path: file, hmac_accessor: 'false' },
        local: false,
        path: 'file/',
      },
    });
    const hash = await call('update', 'audit-hash/file', { input: 'hvs.secret' });
    assert.deepEqual(hash.data, { hash: broker.hash('file', 'hvs.secret') });
    assert.match(String(hash.data?.hash), /^hmac-sha256:[0-9a-f]{64}$/);
    assert.deepEqual(await call('delete', 'audit/file'), {});
    assert.deepEqual((await call('read', 'audit')).data, {});
  });

  it('failures are 400s with the reason', async () => {
    const { call } = await harness();
    await assert.rejects(
      call('update', 'audit/file', { type: 'file', options: { file_path: join(tmp, 'nope', 'a.log') } }),
      (err: unknown) => err instanceof BadRequestError && /ENOENT/.test(err.message),
    );
    await assert.rejects(
      call('update', 'audit/file', { type: 'file', options: {} }),
      /file_path" is required/,
    );
    await assert.rejects(call('update', 'audit/file', { options: { file_path: '/x' } }), InvalidFieldError);
    await assert.rejects(
      call('update', 'audit/x', { type: 'file', options: { file_path: 'discard', format: 'jsonx' } }),
      /jsonx/,
    );
    await assert.rejects(
      call('update', 'audit/x', { type: 'file', options: { file_path: { a: 1 } } }),
      InvalidFieldError,
    );
    await assert.rejects(call('update', 'audit-hash/none', { input: 'x' }), BadRequestError);
    await assert.rejects(call('update', 'audit-hash/none', {}), InvalidFieldError);
    await assert.rejects(call('read', 'audit/file'), UnsupportedOperationError);
  });
});
