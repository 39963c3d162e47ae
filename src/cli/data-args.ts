/**
 * The `K=V` arguments of write / kv put / kv patch, as Vault's CLI reads them:
 *   k=v        a string
 *   k=@file    the file's contents        k=\@x  the literal "@x"
 *   k=-        all of stdin (once)
 *   -          a JSON object from stdin, merged in
 *   @file      a JSON object from a file, merged in
 * A key given twice becomes a list of its values.
 */
import { readFile } from 'node:fs/promises';
import { type Input, readAll } from './io.ts';

export class DataArgError extends Error {
  override readonly name = 'DataArgError';
}

export interface DataSources {
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
}

export function dataSources(stdin: Input): DataSources {
  return { readStdin: () => readAll(stdin), readFile: (path) => readFile(path, 'utf8') };
}

export async function parseDataArgs(
  args: readonly string[],
  sources: DataSources,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let stdinUsed = false;
  const stdin = async (): Promise<string> => {
    if (stdinUsed) throw new DataArgError('stdin already consumed');
    stdinUsed = true;
    return sources.readStdin();
  };
  const file = async (path: string): Promise<string> => {
    if (path === '') throw new DataArgError('missing file name after "@"');
    try {
      return await sources.readFile(path);
    } catch (err) {
      throw new DataArgError(`error reading file "${path}": ${(err as Error).message}`);
    }
  };

  for (const arg of args) {
    if (arg === '-') {
      mergeJson(out, await stdin(), 'stdin');
      continue;
    }
    if (arg.startsWith('@')) {
      mergeJson(out, await file(arg.slice(1)), arg.slice(1));
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new DataArgError(`invalid key/value pair "${arg}": format must be key=value`);
    const key = arg.slice(0, eq);
    const raw = arg.slice(eq + 1);
    let value: string;
    if (raw === '-') value = await stdin();
    else if (raw.startsWith('@')) value = await file(raw.slice(1));
    else if (raw.startsWith('\\@')) value = raw.slice(1);
    else value = raw;
    add(out, key, value);
  }
  return out;
}

function mergeJson(out: Record<string, unknown>, text: string, source: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DataArgError(`failed to parse JSON from ${source}: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DataArgError(`JSON from ${source} must be an object`);
  }
  for (const [k, v] of Object.entries(parsed)) add(out, k, v);
}

function add(out: Record<string, unknown>, key: string, value: unknown): void {
  if (!Object.hasOwn(out, key)) {
    out[key] = value;
    return;
  }
  const existing = out[key];
  out[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
}
