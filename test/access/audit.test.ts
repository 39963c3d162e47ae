/**
 * Done when: with a file audit device on, after a test session that writes known secret values and
 * uses known tokens, `grep` finds none of those values or tokens in the audit log, and
 * `sys/audit-hash` maps each to the hash that is there. If the audit file cannot be written (its
 * directory replaced by a plain file and the device reopened with SIGHUP — permissions alone do not
 * stop root), requests are refused with 500 and nothing changes; when the device can write again
 * (after the next SIGHUP), service resumes.
 *
 * Tier 5: a real `coffer server -config` process on sqlite (so it can get SIGHUP), plain fetch.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ServerProcess, startServerProcess, tempDir } from '../helpers/process.ts';
import {
  type Api,
  type ApiResult,
  createToken,
  expectStatus,
  initAndUnseal,
  type Json,
  makeApi,
  mountKv,
  sleep,
  writeKv2,
  writePolicy,
} from './helpers.ts';

describe('access: file audit device', () => {
  const tmp = tempDir('coffer-access-audit-');
  const auditDir = join(tmp.dir, 'auditdir');
  const auditFile = join(auditDir, 'audit.log');
  let server: ServerProcess;
  let api: Api;
  let root: string;

  /** Distinctive values: none of these may appear in the audit log. */
  const SECRETS = {
    password: 'Pa55w0rd-AUDIT-7f3e9c21',
    apiKey: 'ak_live_AUDIT_51c0ffee42',
    note: 'the-eagle-lands-at-midnight-AUDIT',
  };
  const tokens: string[] = [];

  const hashOf = async (input: string): Promise<string> => {
    const r = await api('POST', 'sys/audit-hash/file', { token: root, body: { input } });
    expectStatus(r, 200, 'sys/audit-hash/file');
    const hash = r.json.data?.hash ?? r.json.hash;
    assert.match(hash, /^hmac-sha256:[0-9a-f]{64}$/);
    return hash;
  };

  before(async () => {
    mkdirSync(auditDir);
    server = await startServerProcess({
      configHCL: `storage "sqlite" {\n  path = "${join(tmp.dir, 'coffer.db')}"\n}\n`,
      dir: tmp.dir,
    });
    api = makeApi(server.url);
    root = (await initAndUnseal(api)).rootToken;
    await mountKv(api, root, 'secret', '2');
    const en = await api('PUT', 'sys/audit/file', {
      token: root,
      body: { type: 'file', options: { file_path: auditFile } },
    });
    expectStatus(en, 204, 'enable the file audit device');
    tokens.push(root);
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('the log holds neither secret values nor tokens, and sys/audit-hash gives the hashes that are there', async () => {
    await writePolicy(
      api,
      root,
      'app-rw',
      'path "secret/data/app/*" {\n  capabilities = ["create", "read", "update"]\n}\n',
    );
    const writer = await createToken(api, root, { policies: ['app-rw'] });
    const reader = await createToken(api, root, { policies: ['app-rw'] });
    tokens.push(writer, reader);

    expectStatus(
      await writeKv2(
        api,
        writer,
        { path: 'app/creds' },
        { password: SECRETS.password, api_key: SECRETS.apiKey },
      ),
      200,
      'write app/creds',
    );
    expectStatus(
      await writeKv2(api, writer, { path: 'app/note' }, { note: SECRETS.note }),
      200,
      'write app/note',
    );
    const r = await api('GET', 'secret/data/app/creds', { token: reader });
    expectStatus(r, 200, 'read app/creds');
    assert.equal(r.json.data.data.password, SECRETS.password);
    expectStatus(await api('GET', 'secret/data/app/note', { token: reader }), 200, 'read app/note');
    expectStatus(await api('GET', 'auth/token/lookup-self', { token: writer }), 200, 'lookup-self');
    // A denied request is audited too.
    expectStatus(await api('GET', 'sys/mounts', { token: reader }), 403, 'denied sys/mounts');

    const raw = readFileSync(auditFile, 'utf8');
    const lines = raw.split('\n').filter((l) => l !== '');
    assert.ok(lines.length >= 10, `expected audit entries, got ${lines.length}`);
    const entries: Json[] = lines.map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        return assert.fail(`audit line ${i + 1} is not JSON: ${l.slice(0, 200)}`);
      }
    });
    for (const e of entries) {
      assert.ok(e.type === 'request' || e.type === 'response', `type: ${JSON.stringify(e).slice(0, 200)}`);
      assert.equal(typeof e.time, 'string');
      assert.equal(typeof e.request?.path, 'string', 'request.path');
      assert.equal(typeof e.request?.operation, 'string', 'request.operation');
      assert.equal(typeof e.request?.id, 'string', 'request.id');
      assert.equal(typeof e.auth, 'object', `auth block: ${JSON.stringify(e).slice(0, 200)}`);
      assert.notEqual(e.auth, null);
      if (e.type === 'response') assert.ok('response' in e, 'a response entry has response');
    }
    const paths = new Set(entries.map((e) => e.request.path));
    for (const p of [
      'secret/data/app/creds',
      'secret/data/app/note',
      'auth/token/lookup-self',
      'sys/mounts',
    ]) {
      assert.ok(paths.has(p), `${p} audited`);
    }
    // Every request entry has its response entry (same request id), and an auth block.
    const reqIds = new Set(entries.filter((e) => e.type === 'request').map((e) => e.request.id));
    const respIds = new Set(entries.filter((e) => e.type === 'response').map((e) => e.request.id));
    for (const id of reqIds) assert.ok(respIds.has(id), `response entry for request ${id}`);
    for (const e of entries.filter((x) => x.request.path === 'secret/data/app/creds')) {
      assert.ok(e.auth, 'auth block');
    }

    // grep: none of the values or tokens appears in the raw text.
    for (const [i, v] of [...Object.values(SECRETS), ...tokens].entries()) {
      assert.ok(!raw.includes(v), `audit log contains secret #${i} (not shown)`);
    }
    // sys/audit-hash maps each to a hash that is in the log.
    for (const v of [...Object.values(SECRETS), ...tokens]) {
      const h = await hashOf(v);
      assert.ok(raw.includes(h), `hash of ${v.slice(0, 6)}… (${h}) is in the log`);
    }
    // In the right places: the written password in the write's request data; the reader's token as
    // client_token of its read.
    const pwHash = await hashOf(SECRETS.password);
    const write = entries.find(
      (e) =>
        e.type === 'request' && e.request.path === 'secret/data/app/creds' && e.request.operation !== 'read',
    );
    assert.equal(write?.request.data?.data?.password, pwHash);
    const readerHash = await hashOf(reader);
    const readEntry = entries.find(
      (e) =>
        e.type === 'response' && e.request.path === 'secret/data/app/creds' && e.request.operation === 'read',
    );
    assert.equal(readEntry?.request.client_token ?? readEntry?.auth?.client_token, readerHash);
    assert.equal(readEntry?.response?.data?.data?.password, pwHash);
  });

  it('an unwritable audit device (dir replaced by a file, SIGHUP) refuses requests with 500; SIGHUP after repair resumes', async () => {
    expectStatus(await writeKv2(api, root, { path: 'app/stable' }, { v: 'before' }), 200, 'write before');
    const readStable = () => api('GET', 'secret/data/app/stable', { token: root });

    // Break: the directory moves away and a plain file takes its path; then reopen.
    renameSync(auditDir, `${auditDir}.moved`);
    writeFileSync(auditDir, 'not a directory\n');
    server.proc.kill('SIGHUP');
    let probe: ApiResult | undefined;
    for (let i = 0; i < 50; i++) {
      probe = await readStable();
      if (probe.status === 500) break;
      await sleep(100);
    }
    expectStatus(probe!, 500, 'a read while the audit device cannot write');
    assert.ok(!probe!.text.includes('before'), 'the refused read returned no secret');

    const w = await writeKv2(api, root, { path: 'app/stable' }, { v: 'during-outage' });
    expectStatus(w, 500, 'a write while the audit device cannot write');
    const n = await writeKv2(api, root, { path: 'app/new-during-outage' }, { v: 'x' });
    expectStatus(n, 500, 'a create while the audit device cannot write');
    expectStatus(
      await api('POST', 'auth/token/create', { token: root, body: { policies: ['default'] } }),
      500,
      'token create while the audit device cannot write',
    );

    // Repair and reopen.
    rmSync(auditDir);
    mkdirSync(auditDir);
    server.proc.kill('SIGHUP');
    let ok: ApiResult | undefined;
    for (let i = 0; i < 50; i++) {
      ok = await readStable();
      if (ok.status === 200) break;
      await sleep(100);
    }
    expectStatus(ok!, 200, 'a read after the repair');
    assert.deepEqual(ok!.json.data.data, { v: 'before' }, 'the refused write changed nothing');
    assert.equal(ok!.json.data.metadata.version, 1);
    expectStatus(
      await api('GET', 'secret/data/app/new-during-outage', { token: root }),
      404,
      'the refused create changed nothing',
    );
    expectStatus(await writeKv2(api, root, { path: 'app/stable' }, { v: 'after' }), 200, 'write after');
    assert.deepEqual((await readStable()).json.data.data, { v: 'after' });
    const fresh = readFileSync(auditFile, 'utf8');
    assert.ok(fresh.includes('secret/data/app/stable'), 'the reopened device logs again');
  });
});
