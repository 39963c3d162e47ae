/**
 * Test helper: runs `main` in-process with captured stdout/stderr, a given environment and
 * stdin, against a recording fake server that answers with Vault-shaped responses.
 */
import { Readable } from 'node:stream';
import {
  envelope,
  type RecordingServer,
  startRecordingServer,
} from '../../client/testing/recording-server.ts';
import { main } from '../../main.ts';
import type { Io } from '../io.ts';

export { envelope, type RecordingServer, startRecordingServer };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  stdoutIsTTY?: boolean;
}

/** Runs `coffer …argv` with COFFER_ADDR pointing at the server and a root token. */
export async function runCli(
  server: Pick<RecordingServer, 'address'> | undefined,
  argv: readonly string[],
  options: RunOptions = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: {
      write: (chunk: string) => {
        stdout += chunk;
        return true;
      },
      isTTY: options.stdoutIsTTY ?? false,
    },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
        return true;
      },
    },
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: {
      COFFER_TOKEN_FILE: '/nonexistent/coffer-token',
      ...(server ? { COFFER_ADDR: server.address, COFFER_TOKEN: 'root-token' } : {}),
      ...options.env,
    },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Answers `sys/internal/ui/mounts/<mount>…` for a KV mount of the given version. */
export function kvMountRoute(server: RecordingServer, mount: string, version: 1 | 2): void {
  const path = mount.endsWith('/') ? mount : `${mount}/`;
  server.on(`GET /v1/sys/internal/ui/mounts/${path.slice(0, -1)}*`, {
    status: 200,
    body: envelope({ path, type: 'kv', options: version === 2 ? { version: '2' } : null, description: '' }),
  });
}
