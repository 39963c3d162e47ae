/**
 * Done when: with a config file on `sqlite`: `coffer operator init -key-shares=5 -key-threshold=3`,
 * unseal with any 3 of the 5 keys, write secrets, stop, start: sealed; unseal: every secret is
 * there. 2 keys, a wrong key or a repeated key do not unseal.
 *
 * Tier 5: a real `coffer server -config` process on a sqlite file, restarted on the same file,
 * driven through the real CLI (and plain HTTP for bulk writes and reads).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type ServerProcess, startServerProcess, tempDir } from '../helpers/process.ts';
import { redact } from '../helpers/redact.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, asserted field by field
type Json = any;

interface InitOutput {
  unseal_keys_b64: string[];
  unseal_keys_hex: string[];
  unseal_shares: number;
  unseal_threshold: number;
  root_token: string;
}

const SECRET_COUNT = 20;
const secretPath = (i: number) => `team-${i % 4}/app-${i}`;
const secretValue = (i: number) => ({ user: `u${i}`, password: `pw-${i}-${'x'.repeat(i)}` });

/** A share with one y byte flipped: well-formed, same length and x coordinate, but wrong. */
function corrupt(b64: string): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[0] = bytes[0]! ^ 0x5a;
  return bytes.toString('base64');
}

describe('e2e: Shamir seal on sqlite across restarts, driven by the CLI', () => {
  const tmp = tempDir('coffer-e2e-seal-');
  const db = join(tmp.dir, 'coffer.db');
  const configHCL = `storage "sqlite" {\n  path = "${db}"\n}\n`;
  let server: ServerProcess | undefined;
  let init: InitOutput;
  let rekeyed: { keys: string[]; keys_base64: string[] };
  /** Every server's stderr, for the log check at the end. */
  const logs: string[] = [];

  const env = (token = init?.root_token ?? '') => ({
    VAULT_ADDR: server!.url,
    COFFER_ADDR: server!.url,
    VAULT_TOKEN: token,
    COFFER_TOKEN: token,
  });
  const cli = async (args: string[], token?: string) => runCli(args, env(token));
  /** `coffer CMD... -format=json ARGS...` (flags go before the arguments, as in Vault's CLI). */
  const cliJSON = async (
    cmd: string[],
    rest: string[] = [],
  ): Promise<{ code: number | null; json: Json }> => {
    const args = [...cmd, '-format=json', ...rest];
    const r = await cli(args);
    let json: Json;
    try {
      json = JSON.parse(r.stdout);
    } catch {
      assert.fail(
        `coffer ${args.join(' ')} -format=json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`,
      );
    }
    return { code: r.code, json };
  };
  const sealStatus = async (): Promise<Json> => {
    const r = await fetch(`${server!.url}/v1/sys/seal-status`);
    assert.equal(r.status, 200);
    return r.json();
  };
  const http = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${server!.url}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': init.root_token },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, json: text === '' ? undefined : (JSON.parse(text) as Json), text };
  };
  const start = async () => {
    server = await startServerProcess({ configHCL, dir: tmp.dir });
  };
  const stop = async () => {
    if (!server) return;
    const code = await server.stop('SIGTERM');
    logs.push(server.stderr());
    server = undefined;
    return code;
  };
  const assertAllSecrets = async () => {
    for (let i = 0; i < SECRET_COUNT; i++) {
      const r = await http('GET', `secret/data/${secretPath(i)}`);
      assert.equal(r.status, 200, `${secretPath(i)}: ${redact(r.text)}`);
      assert.deepEqual(r.json.data.data, secretValue(i));
    }
    const v1 = await http('GET', `secret/data/${secretPath(0)}?version=1`);
    assert.deepEqual(v1.json.data.data, { first: 'version' });
    const plain = await http('GET', 'kv1/plain');
    assert.equal(plain.status, 200, plain.text);
    assert.deepEqual(plain.json.data, { v1: 'yes' });
    const viaCli = await cliJSON(['kv', 'get'], ['secret/cli-written']);
    assert.equal(viaCli.code, 0);
    assert.deepEqual(viaCli.json.data.data, { from: 'cli', n: '7' });
  };

  before(start);
  after(async () => {
    await stop();
    tmp.cleanup();
  });

  it('an uninitialized server: status exits 2, init -status exits 2', async () => {
    const st = await cliJSON(['status']);
    assert.equal(st.code, 2);
    assert.equal(st.json.initialized, false);
    assert.equal(st.json.sealed, true);
    assert.equal(st.json.storage_type, 'sqlite');
    const initStatus = await cli(['operator', 'init', '-status']);
    assert.equal(initStatus.code, 2, initStatus.stdout + initStatus.stderr);
  });

  it('operator init -key-shares=5 -key-threshold=3 prints 5 keys (hex and base64) and a root token', async () => {
    const r = await cliJSON(['operator', 'init'], ['-key-shares=5', '-key-threshold=3']);
    assert.equal(r.code, 0);
    init = r.json;
    assert.equal(init.unseal_keys_b64.length, 5);
    assert.equal(init.unseal_keys_hex.length, 5);
    assert.equal(init.unseal_shares, 5);
    assert.equal(init.unseal_threshold, 3);
    assert.equal(new Set(init.unseal_keys_b64).size, 5);
    assert.ok(init.root_token.length > 0);
    for (let i = 0; i < 5; i++) {
      // The same share in both encodings: 32 bytes of y and one x byte (Vault's layout).
      const bytes = Buffer.from(init.unseal_keys_b64[i]!, 'base64');
      assert.equal(bytes.length, 33);
      assert.equal(bytes.toString('hex'), init.unseal_keys_hex[i]);
    }
    assert.ok(existsSync(db), 'the sqlite file exists');

    const again = await cli(['operator', 'init', '-key-shares=5', '-key-threshold=3']);
    assert.notEqual(again.code, 0, 'a second init is refused');
    assert.match(again.stderr, /already initialized/);

    const st = await cliJSON(['status']);
    assert.equal(st.code, 2, 'initialized but sealed');
    assert.equal(st.json.initialized, true);
    assert.equal(st.json.sealed, true);
    assert.equal(st.json.t, 3);
    assert.equal(st.json.n, 5);
    assert.equal(st.json.progress, 0);
    const initStatus = await cli(['operator', 'init', '-status']);
    assert.equal(initStatus.code, 0);
  });

  it('2 keys, a repeated key and a wrong key do not unseal', async () => {
    const [k0, k1, k2] = init.unseal_keys_b64;

    const one = await cliJSON(['operator', 'unseal'], [k0!]);
    assert.equal(one.code, 0);
    assert.equal(one.json.sealed, true);
    assert.equal(one.json.progress, 1);
    assert.notEqual(one.json.nonce, '');

    // The same key again (in the other encoding): refused, progress stays.
    const repeated = await cli(['operator', 'unseal', init.unseal_keys_hex[0]!]);
    assert.notEqual(repeated.code, 0, 'a repeated key is refused');
    assert.match(repeated.stderr, /already has this unseal key/);
    assert.equal((await sealStatus()).progress, 1);

    const two = await cliJSON(['operator', 'unseal'], [k1!]);
    assert.equal(two.json.sealed, true);
    assert.equal(two.json.progress, 2);
    assert.equal((await cli(['status'])).code, 2, 'sealed after 2 of 3 keys');
    assert.equal((await http('GET', 'sys/mounts')).status, 503);

    // A well-formed but wrong third share: an error, the round is reset, still sealed.
    const wrong = await cli(['operator', 'unseal', corrupt(k2!)]);
    assert.notEqual(wrong.code, 0, 'a wrong key is refused');
    assert.match(wrong.stderr, /invalid key/);
    const afterWrong = await sealStatus();
    assert.equal(afterWrong.sealed, true);
    assert.equal(afterWrong.progress, 0, 'a wrong key resets the progress');
    assert.equal(afterWrong.nonce, '');

    // Garbage that is not a share at all.
    const garbage = await cli(['operator', 'unseal', 'not-a-key']);
    assert.notEqual(garbage.code, 0);
    assert.equal((await sealStatus()).sealed, true);

    // -reset discards a partial round.
    await cli(['operator', 'unseal', k0!]);
    assert.equal((await sealStatus()).progress, 1);
    const reset = await cliJSON(['operator', 'unseal'], ['-reset']);
    assert.equal(reset.code, 0);
    assert.equal(reset.json.progress, 0);
    assert.equal((await cli(['status'])).code, 2);
  });

  it('any 3 of the 5 keys unseal; secrets are written (CLI and HTTP)', async () => {
    const keys = init.unseal_keys_b64;
    for (const [n, i] of [1, 3, 4].entries()) {
      const r = await cliJSON(['operator', 'unseal'], [keys[i]!]);
      assert.equal(r.code, 0);
      assert.equal(r.json.sealed, n < 2);
    }
    const st = await cli(['status']);
    assert.equal(st.code, 0, st.stdout + st.stderr);
    assert.match(st.stdout, /Sealed\s+false/);

    // A production server mounts nothing but sys/: enable KV v2 at secret/ and KV v1 at kv1/.
    assert.equal((await cli(['secrets', 'enable', '-path=secret', '-version=2', 'kv'])).code, 0);
    assert.equal((await cli(['secrets', 'enable', '-path=kv1', 'kv'])).code, 0);

    const first = await http('POST', `secret/data/${secretPath(0)}`, { data: { first: 'version' } });
    assert.equal(first.status, 200, first.text);
    for (let i = 0; i < SECRET_COUNT; i++) {
      const w = await http('POST', `secret/data/${secretPath(i)}`, { data: secretValue(i) });
      assert.equal(w.status, 200, w.text);
    }
    const v1 = await http('POST', 'kv1/plain', { v1: 'yes' });
    assert.equal(v1.status, 204, v1.text);
    const put = await cli(['kv', 'put', 'secret/cli-written', 'from=cli', 'n=7']);
    assert.equal(put.code, 0, put.stderr);
    await assertAllSecrets();
  });

  it('stop (SIGTERM), start on the same file: sealed, 503 on KV; 3 other keys (hex and base64) unseal, every secret is there', async () => {
    const url = server!.url;
    assert.equal(await stop(), 0, 'a clean exit on SIGTERM');
    const down = await runCli(['status'], { VAULT_ADDR: url, COFFER_ADDR: url });
    assert.equal(down.code, 1, `status exits 1 when it cannot reach the server: ${down.stderr}`);
    await start();

    const st = await cliJSON(['status']);
    assert.equal(st.code, 2);
    assert.equal(st.json.initialized, true);
    assert.equal(st.json.sealed, true);
    const sealedRead = await http('GET', `secret/data/${secretPath(1)}`);
    assert.equal(sealedRead.status, 503, sealedRead.text);
    assert.deepEqual(Object.keys(sealedRead.json), ['errors']);
    assert.ok(!sealedRead.text.includes('pw-1'), 'no secret while sealed');
    const kvGet = await cli(['kv', 'get', 'secret/cli-written']);
    assert.notEqual(kvGet.code, 0);

    // Keys 5, 1 and 3 (a different set from before), mixing hex and base64.
    const sequence = [init.unseal_keys_hex[4]!, init.unseal_keys_b64[0]!, init.unseal_keys_hex[2]!];
    for (const [n, key] of sequence.entries()) {
      const r = await cliJSON(['operator', 'unseal'], [key]);
      assert.equal(r.code, 0);
      assert.equal(r.json.progress, n < 2 ? n + 1 : 0);
      assert.equal(r.json.sealed, n < 2);
    }
    assert.equal((await cli(['status'])).code, 0);
    await assertAllSecrets();

    const mounts = await cliJSON(['secrets', 'list']);
    assert.equal(mounts.json['secret/'].type, 'kv');
    assert.equal(mounts.json['secret/'].options.version, '2');
    assert.equal(mounts.json['kv1/'].type, 'kv');
  });

  it('operator seal, then unseal again (sealing needs a valid token)', async () => {
    const anonymous = await cli(['operator', 'seal'], '');
    assert.notEqual(anonymous.code, 0, 'no token: refused');
    const forged = await cli(['operator', 'seal'], 'hvs.forged');
    assert.notEqual(forged.code, 0, 'a wrong token: refused');
    assert.equal((await cli(['status'])).code, 0, 'still unsealed');

    const seal = await cli(['operator', 'seal']);
    assert.equal(seal.code, 0, seal.stderr);
    assert.equal((await cli(['status'])).code, 2);
    assert.equal((await http('GET', `secret/data/${secretPath(2)}`)).status, 503);
    for (const i of [2, 0, 1]) await cli(['operator', 'unseal', init.unseal_keys_b64[i]!]);
    assert.equal((await cli(['status'])).code, 0);
    await assertAllSecrets();
  });

  it('operator key-status and operator rotate: the term increments and old values still decrypt', async () => {
    assert.notEqual((await cli(['operator', 'rotate'], 'hvs.forged')).code, 0, 'rotate needs a valid token');
    const ks = await cliJSON(['operator', 'key-status']);
    assert.equal(ks.code, 0);
    assert.equal(ks.json.term, 1);
    assert.ok(!Number.isNaN(Date.parse(ks.json.install_time)), ks.json.install_time);
    const text = await cli(['operator', 'key-status']);
    assert.match(text.stdout, /Key Term\s+1/);

    const rot = await cli(['operator', 'rotate']);
    assert.equal(rot.code, 0, rot.stderr);
    assert.match(rot.stdout, /Key Term\s+2/);
    const rot2 = await cliJSON(['operator', 'rotate']);
    assert.equal(rot2.json.term, 3);
    assert.equal((await cliJSON(['operator', 'key-status'])).json.term, 3);

    const w = await http('POST', 'secret/data/after-rotate', { data: { term: '3' } });
    assert.equal(w.status, 200, w.text);
    await assertAllSecrets();
  });

  it('operator rekey -init -key-shares=3 -key-threshold=2, then 3 current keys: new keys', async () => {
    // A rekey can be started and cancelled; the current keys keep working.
    const first = await cliJSON(['operator', 'rekey'], ['-init', '-key-shares=3', '-key-threshold=2']);
    assert.equal(first.json.started, true);
    await cliJSON(['operator', 'rekey'], [`-nonce=${first.json.nonce}`, init.unseal_keys_b64[4]!]);
    const cancel = await cli(['operator', 'rekey', '-cancel']);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal((await cliJSON(['operator', 'rekey'], ['-status'])).json.started, false);
    const stale = await cli(['operator', 'rekey', `-nonce=${first.json.nonce}`, init.unseal_keys_b64[3]!]);
    assert.notEqual(stale.code, 0, 'no rekey in progress after -cancel');

    const started = await cliJSON(['operator', 'rekey'], ['-init', '-key-shares=3', '-key-threshold=2']);
    assert.equal(started.code, 0);
    assert.equal(started.json.started, true);
    assert.equal(started.json.n, 3);
    assert.equal(started.json.t, 2);
    assert.equal(started.json.required, 3);
    assert.equal(started.json.progress, 0);
    const nonce: string = started.json.nonce;
    assert.ok(nonce.length > 0);
    assert.notEqual(nonce, first.json.nonce);
    const twice = await cli(['operator', 'rekey', '-init', '-key-shares=3', '-key-threshold=2']);
    assert.notEqual(twice.code, 0, 'one rekey at a time');

    const status = await cliJSON(['operator', 'rekey'], ['-status']);
    assert.equal(status.json.nonce, nonce);
    assert.equal(status.json.started, true);

    const wrongNonce = await cli(['operator', 'rekey', '-nonce=not-the-nonce', init.unseal_keys_b64[0]!]);
    assert.notEqual(wrongNonce.code, 0);

    const k = init.unseal_keys_b64;
    const s1 = await cliJSON(['operator', 'rekey'], [`-nonce=${nonce}`, k[3]!]);
    assert.equal(s1.code, 0);
    assert.equal(s1.json.progress, 1);
    const dup = await cli(['operator', 'rekey', `-nonce=${nonce}`, k[3]!]);
    assert.notEqual(dup.code, 0, 'a repeated key is refused in a rekey too');
    const s2 = await cliJSON(['operator', 'rekey'], [`-nonce=${nonce}`, init.unseal_keys_hex[1]!]);
    assert.equal(s2.json.progress, 2);
    const done = await cliJSON(['operator', 'rekey'], [`-nonce=${nonce}`, k[0]!]);
    assert.equal(done.code, 0);
    assert.equal(done.json.complete, true);
    rekeyed = done.json;
    assert.equal(rekeyed.keys.length, 3);
    assert.equal(rekeyed.keys_base64.length, 3);
    for (let i = 0; i < 3; i++) {
      assert.equal(Buffer.from(rekeyed.keys_base64[i]!, 'base64').toString('hex'), rekeyed.keys[i]);
      assert.ok(!init.unseal_keys_hex.includes(rekeyed.keys[i]!), 'new keys differ from the old ones');
    }

    // Still unsealed; the rekey is over.
    assert.equal((await cli(['status'])).code, 0);
    assert.equal((await cliJSON(['operator', 'rekey'], ['-status'])).json.started, false);
    const st = await sealStatus();
    assert.equal(st.t, 2);
    assert.equal(st.n, 3);
  });

  it('after a restart the old keys do not unseal and the new ones do; term and data persist', async () => {
    assert.equal(await stop(), 0);
    await start();
    assert.equal((await cli(['status'])).code, 2);

    // Old keys: the second one reaches the new threshold of 2 and fails.
    const o1 = await cliJSON(['operator', 'unseal'], [init.unseal_keys_b64[0]!]);
    assert.equal(o1.json.progress, 1);
    const o2 = await cli(['operator', 'unseal', init.unseal_keys_b64[1]!]);
    assert.notEqual(o2.code, 0, 'old keys are refused after a rekey');
    let st = await sealStatus();
    assert.equal(st.sealed, true);
    assert.equal(st.progress, 0);
    // A third old key cannot help either.
    await cli(['operator', 'unseal', init.unseal_keys_b64[2]!]);
    const o4 = await cli(['operator', 'unseal', init.unseal_keys_b64[3]!]);
    assert.notEqual(o4.code, 0);
    assert.equal((await sealStatus()).sealed, true);

    // Any 2 of the 3 new keys.
    await cli(['operator', 'unseal', rekeyed.keys[2]!]);
    const n2 = await cliJSON(['operator', 'unseal'], [rekeyed.keys_base64[0]!]);
    assert.equal(n2.code, 0);
    assert.equal(n2.json.sealed, false);
    st = await sealStatus();
    assert.equal(st.sealed, false);
    assert.equal((await cli(['status'])).code, 0);

    await assertAllSecrets();
    const afterRotate = await http('GET', 'secret/data/after-rotate');
    assert.deepEqual(afterRotate.json.data.data, { term: '3' });
    assert.equal((await cliJSON(['operator', 'key-status'])).json.term, 3);
  });

  it('a SIGKILL loses no acknowledged write; the restarted server is sealed and unseals with the new keys', async () => {
    const w = await http('POST', 'secret/data/before-kill', { data: { acked: 'yes' } });
    assert.equal(w.status, 200, w.text);
    const del = await http('DELETE', `secret/data/${secretPath(7)}`);
    assert.equal(del.status, 204, del.text);
    assert.equal(await server!.stop('SIGKILL'), null);
    logs.push(server!.stderr());
    server = undefined;
    await start();
    assert.equal((await sealStatus()).sealed, true);
    for (const key of [rekeyed.keys_base64[1]!, rekeyed.keys[0]!]) await cli(['operator', 'unseal', key]);
    assert.equal((await cli(['status'])).code, 0);
    const r = await http('GET', 'secret/data/before-kill');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.data.data, { acked: 'yes' });
    const deleted = await http('GET', `secret/data/${secretPath(7)}`);
    assert.equal(deleted.status, 404, deleted.text);
    assert.equal(deleted.json.data.data, null);
    const undel = await http('POST', `secret/undelete/${secretPath(7)}`, {
      versions: [deleted.json.data.metadata.version],
    });
    assert.equal(undel.status, 204, undel.text);
    await assertAllSecrets();
  });

  it('the server logs never contain key shares, the root token or secret values', async () => {
    await stop();
    const all = logs.join('\n');
    assert.ok(all.length > 0, 'the servers logged something');
    const forbidden = [
      ...init.unseal_keys_b64,
      ...init.unseal_keys_hex,
      ...rekeyed.keys,
      ...rekeyed.keys_base64,
      init.root_token,
      secretValue(5).password,
      'pw-',
    ];
    for (const [i, s] of forbidden.entries())
      assert.ok(!all.includes(s), `the log contains forbidden value #${i} (not shown)`);
  });
});
