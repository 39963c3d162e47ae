/**
 * Done when: a second `coffer server` on the sqlite file of a running one refuses to start, with
 * one clear line naming the file and its lock file and a non-zero exit, and leaves the running
 * server alone; once that one has stopped, the same config starts.
 *
 * Tier 5: real server processes on one sqlite file.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, runCli, type ServerProcess, startServerProcess, tempDir } from '../helpers/process.ts';

/** Runs `coffer server -config=FILE` to its exit (SIGKILLed after 20 s: it should not start). */
const runServer = (config: string) => runCli(['server', `-config=${config}`], {}, undefined, 20_000);

describe('e2e: one coffer server per sqlite file', { timeout: 60_000 }, () => {
  const tmp = tempDir('coffer-e2e-lock-');
  let first: ServerProcess | undefined;
  let second: ServerProcess | undefined;
  after(async () => {
    await first?.stop('SIGKILL');
    await second?.stop('SIGKILL');
    tmp.cleanup();
  });

  it('a second server on the same file exits 1 with one clear line; it starts once the first has stopped', async () => {
    const db = join(tmp.dir, 'coffer.db');
    const storage = `storage "sqlite" {\n  path = "${db}"\n}\n`;
    mkdirSync(join(tmp.dir, 'a'));
    mkdirSync(join(tmp.dir, 'b'));
    first = await startServerProcess({ configHCL: storage, dir: join(tmp.dir, 'a') });

    // Same storage, another port: only the lock can stop it.
    const port = await freePort();
    const config = join(tmp.dir, 'b', 'coffer.hcl');
    writeFileSync(
      config,
      `${storage}listener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\n`,
    );
    const refused = await runServer(config);
    assert.equal(refused.code, 1, `${refused.stdout}\n${refused.stderr}`);
    assert.equal(
      refused.stderr,
      `Error starting the server: sqlite storage: ${db} is in use by another Coffer process (lock file ${db}.lock)\n`,
    );
    assert.equal(refused.stdout, '');

    // The first server is unharmed.
    const status = await fetch(`${first.url}/v1/sys/seal-status`);
    assert.equal(status.status, 200);
    assert.equal(((await status.json()) as { initialized: boolean }).initialized, false);

    assert.equal(await first.stop('SIGTERM'), 0);
    first = undefined;
    second = await startServerProcess({ configHCL: storage, dir: join(tmp.dir, 'b'), port });
    assert.equal((await fetch(`${second.url}/v1/sys/seal-status`)).status, 200);
    assert.equal(await second.stop('SIGTERM'), 0);
    second = undefined;
  });
});
