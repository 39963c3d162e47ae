import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { envelope, type RecordingServer, runCli, startRecordingServer } from '../testing/run-cli.ts';

let srv: RecordingServer;
const dir = mkdtempSync(join(tmpdir(), 'coffer-policy-'));
before(async () => {
  srv = await startRecordingServer();
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => srv.reset());

const text = 'path "secret/*" {\n  capabilities = ["read"]\n}\n';

describe('policy write, read, list, delete', () => {
  test('write from a file (name lowercased) and from stdin', async () => {
    srv.on('POST /v1/sys/policies/acl/dev', { status: 204 });
    const file = join(dir, 'dev.hcl');
    writeFileSync(file, text);
    const r = await runCli(srv, ['policy', 'write', 'Dev', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Uploaded policy: dev\n');
    const piped = await runCli(srv, ['policy', 'write', 'dev', '-'], { stdin: text });
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(
      srv.seen.map((s) => s.body),
      [{ policy: text }, { policy: text }],
    );
  });

  test('write: a missing file exits 1, a server error exits 2, a missing argument exits 1', async () => {
    const missing = await runCli(srv, ['policy', 'write', 'dev', join(dir, 'none.hcl')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error opening policy file: /);
    srv.on('POST /v1/sys/policies/acl/dev', { status: 400, body: { errors: ['failed to parse policy'] } });
    const bad = await runCli(srv, ['policy', 'write', 'dev', '-'], { stdin: 'nonsense' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^Error uploading policy: [\s\S]*failed to parse policy/);
    assert.equal((await runCli(srv, ['policy', 'write', 'dev'])).code, 1);
  });

  test('read prints the rules; JSON has the policy; an unknown policy exits 2', async () => {
    srv.on('GET /v1/sys/policies/acl/dev', { status: 200, body: envelope({ name: 'dev', policy: text }) });
    const r = await runCli(srv, ['policy', 'read', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, text);
    const json = await runCli(srv, ['policy', 'read', '-format=json', 'dev']);
    assert.deepEqual(JSON.parse(json.stdout), { policy: text });
    const none = await runCli(srv, ['policy', 'read', 'nope']);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, 'No policy named: nope\n');
  });

  test('list one name a line, or a JSON array; delete', async () => {
    srv.on('GET /v1/sys/policies/acl', { status: 200, body: envelope({ keys: ['default', 'dev', 'root'] }) });
    srv.on('DELETE /v1/sys/policies/acl/dev', { status: 204 });
    assert.equal((await runCli(srv, ['policy', 'list'])).stdout, 'default\ndev\nroot\n');
    assert.equal(srv.seen[0]!.query.list, 'true');
    assert.deepEqual(JSON.parse((await runCli(srv, ['policy', 'list', '-format=json'])).stdout), [
      'default',
      'dev',
      'root',
    ]);
    const del = await runCli(srv, ['policy', 'delete', 'dev']);
    assert.equal(del.stdout, 'Success! Deleted policy: dev\n');
    assert.equal(srv.seen.at(-1)!.method, 'DELETE');
  });
});

describe('policy fmt', () => {
  test('rewrites the file in canonical form, keeping comments; formatting again changes nothing', async () => {
    const file = join(dir, 'messy.hcl');
    writeFileSync(
      file,
      `# team policy
path "secret/data/*" { capabilities=["create","read"]  # rw
allowed_parameters {
"*" = []
  ttl = ["1h"]
}
}
path    "sys/*"   {
    capabilities = ["deny"]
    max_wrapping_ttl = "5m"
}
`,
    );
    const r = await runCli(undefined, ['policy', 'fmt', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Success! Formatted policy: ${file}\n`);
    const formatted = `# team policy
path "secret/data/*" {
  capabilities = ["create", "read"] # rw

  allowed_parameters {
    "*" = []
    ttl = ["1h"]
  }
}

path "sys/*" {
  capabilities     = ["deny"]
  max_wrapping_ttl = "5m"
}
`;
    assert.equal(readFileSync(file, 'utf8'), formatted);
    assert.equal((await runCli(undefined, ['policy', 'fmt', file])).code, 0);
    assert.equal(readFileSync(file, 'utf8'), formatted);
  });

  test('a syntax error exits 1 with line and column and leaves the file alone', async () => {
    const file = join(dir, 'broken.hcl');
    const broken = 'path "a" {\n  capabilities = ["read"\n}\n';
    writeFileSync(file, broken);
    const r = await runCli(undefined, ['policy', 'fmt', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Failed to parse policy: .*broken\.hcl: line 3, column 1: /);
    assert.equal(readFileSync(file, 'utf8'), broken);
  });

  test('valid HCL that is not a policy exits 1 (a missing file too) with the place', async () => {
    const file = join(dir, 'notpolicy.hcl');
    writeFileSync(file, 'path "a" {\n  capabilites = ["read"]\n}\n');
    const r = await runCli(undefined, ['policy', 'fmt', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /line 2, column 3: invalid key "capabilites" in path "a"/);
    assert.equal((await runCli(undefined, ['policy', 'fmt', join(dir, 'none.hcl')])).code, 1);
  });
});
