/**
 * The token helper file: `~/.coffer-token`, or `COFFER_TOKEN_FILE` when set.
 * Written with mode 0600; only `coffer login` writes it (unless -no-store).
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

export function tokenFilePath(env: Env): string {
  const override = env.COFFER_TOKEN_FILE;
  if (override !== undefined && override !== '') return override;
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir();
  return join(home, '.coffer-token');
}

/** The stored token, trimmed; undefined when there is no file or it is empty. */
export async function readTokenFile(env: Env): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(tokenFilePath(env), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const token = text.trim();
  return token === '' ? undefined : token;
}

export async function writeTokenFile(env: Env, token: string): Promise<void> {
  const path = tokenFilePath(env);
  await writeFile(path, token, { mode: 0o600 });
  // The mode above only applies to a new file; tighten an existing one too.
  await chmod(path, 0o600);
}
