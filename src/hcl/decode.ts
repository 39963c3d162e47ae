import {
  type HclBlock,
  type HclBody,
  HclParseError,
  type HclPos,
  type HclValue,
  type JsonLike,
} from './ast.ts';
import { parseJSON } from './json.ts';
import { toJSONLike } from './json-like.ts';
import { parseHCL } from './parse.ts';

/**
 * Typed reading of a parsed document, the same for HCL and its JSON form, with the position of
 * every key and value kept for error messages. Server and agent configs and ACL policies are
 * read with it: a consumer groups a document into entries, asks for blocks as sections, and
 * reads scalars through the typed getters, which throw the consumer's own error class.
 */

/** One key of a document or block: an HCL attribute or block, or a JSON property. */
export interface HclEntry {
  readonly key: string;
  readonly pos: HclPos;
  readonly value?: HclValue;
  readonly block?: HclBlock;
}

/** A block once its labels are known: `listener "tcp" {…}` and `"listener": {"tcp": {…}}` alike. */
export interface HclSection {
  readonly labels: readonly string[];
  readonly pos: HclPos;
  readonly entries: readonly HclEntry[];
  /** The body as plain data. */
  readonly body: { [key: string]: JsonLike };
}

/** The entries of an HCL body or of a JSON object, in source order. */
export function entriesOf(node: HclBody | (HclValue & { kind: 'object' })): HclEntry[] {
  if (node.kind === 'object') return node.items.map((i) => ({ key: i.key, pos: i.pos, value: i.value }));
  return node.items.map((item) =>
    item.kind === 'attribute'
      ? { key: item.name, pos: item.pos, value: item.value }
      : { key: item.name, pos: item.pos, block: item },
  );
}

/** Entries grouped by key, in order of first appearance. */
export function groupEntries(entries: readonly HclEntry[]): Map<string, HclEntry[]> {
  const out = new Map<string, HclEntry[]>();
  for (const e of entries) {
    const list = out.get(e.key);
    if (list) list.push(e);
    else out.set(e.key, [e]);
  }
  return out;
}

export type MakeError = (reason: string, pos: HclPos | undefined) => Error;

/**
 * The getters take `where` (a prefix such as `listener "tcp": `, or '') so that a message reads
 * `listener "tcp": "tls_disable" must be a boolean (true or false), not a string`.
 */
export class HclDecoder {
  readonly warnings: string[] = [];
  readonly fail: MakeError;

  constructor(fail: MakeError) {
    this.fail = fail;
  }

  /** The sections a block-valued key holds, each with exactly `labels` labels. */
  sections(e: HclEntry, labels: number, example: string): HclSection[] {
    if (e.block) {
      if (e.block.labels.length !== labels) {
        const want = labels === 0 ? 'no labels' : labels === 1 ? 'exactly one label' : `${labels} labels`;
        throw this.fail(`block "${e.key}" needs ${want}, as in ${example}`, e.pos);
      }
      const body = toJSONLike(e.block.body) as { [key: string]: JsonLike };
      return [{ labels: e.block.labels, pos: e.pos, entries: entriesOf(e.block.body), body }];
    }
    const walk = (v: HclValue, left: number, got: string[]): HclSection[] => {
      if (v.kind === 'list') return v.items.flatMap((item) => walk(item, left, got));
      if (v.kind !== 'object')
        throw this.fail(`"${e.key}" must be a block (an object), as in ${example}`, v.pos);
      if (left > 0) return v.items.flatMap((item) => walk(item.value, left - 1, [...got, item.key]));
      const body = toJSONLike(v) as { [key: string]: JsonLike };
      return [{ labels: got, pos: v.pos, entries: entriesOf(v), body }];
    };
    return walk(e.value!, labels, []);
  }

  /** The one entry of a key that may appear once; a second one is an error. */
  single(list: readonly HclEntry[] | undefined, where: string): HclEntry | undefined {
    const [first, second] = list ?? [];
    if (first && second) {
      const at = `line ${first.pos.line}, column ${first.pos.column}`;
      throw this.fail(`${where}"${second.key}" is set twice (first at ${at})`, second.pos);
    }
    return first;
  }

  /** The value of an attribute (not a block). */
  scalar(e: HclEntry, where: string, want: string): HclValue {
    if (e.value === undefined) throw this.fail(`${where}"${e.key}" must be ${want}, not a block`, e.pos);
    return e.value;
  }

  string(e: HclEntry, where: string): string {
    const v = this.scalar(e, where, 'a string');
    if (v.kind !== 'string')
      throw this.fail(`${where}"${e.key}" must be a string, not ${kindName(v)}`, v.pos);
    return v.value;
  }

  /** true/false, and as Vault also takes them, "true"/"false" (any case), 1/0 and "1"/"0". */
  bool(e: HclEntry, where: string): boolean {
    const v = this.scalar(e, where, 'a boolean');
    const raw =
      v.kind === 'bool' || v.kind === 'number' || v.kind === 'string' ? String(v.value).toLowerCase() : '';
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw this.fail(`${where}"${e.key}" must be a boolean (true or false), not ${kindName(v)}`, v.pos);
  }

  /** A whole number ≥ 0, written as a number or a string of digits. */
  count(e: HclEntry, where: string): number {
    const v = this.scalar(e, where, 'a number');
    const n =
      v.kind === 'number' ? v.value : v.kind === 'string' && /^\d+$/.test(v.value) ? Number(v.value) : -1;
    if (!Number.isSafeInteger(n) || n < 0)
      throw this.fail(`${where}"${e.key}" must be a whole number ≥ 0`, v.pos);
    return n;
  }
}

export function kindName(v: HclValue): string {
  const names = {
    string: 'a string',
    number: 'a number',
    bool: 'a boolean',
    null: 'null',
    list: 'a list',
    object: 'an object',
  };
  return names[v.kind];
}

/** The candidate a misspelt key was probably meant to be, for "did you mean" hints. */
export function suggestKey(key: string, candidates: Iterable<string>): string | undefined {
  const limit = key.length > 4 ? 2 : 1;
  for (const c of candidates) if (editDistance(c, key, limit) <= limit) return c;
  return undefined;
}

/** Levenshtein distance, or limit + 1 when it is surely larger (keys are short; long ones skip). */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit || a.length > 64 || b.length > 64) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The top-level entries of a document that may be HCL or its JSON form (JSON when it starts with
 * `{` or `[`), for policies and other small documents. Parse errors go through `fail`, so each
 * caller phrases them its own way (and picks its error class).
 */
export function documentEntries(
  text: string,
  fail: (reason: string, pos: HclPos | undefined) => Error,
  what = 'document',
): { entries: HclEntry[]; pos: HclPos } {
  try {
    const first = text.trimStart()[0];
    if (first === '{' || first === '[') {
      const root = parseJSON(text);
      if (root.kind !== 'object') throw fail(`a JSON ${what} must be an object`, root.pos);
      return { entries: entriesOf(root), pos: root.pos };
    }
    return { entries: entriesOf(parseHCL(text)), pos: { line: 1, column: 1 } };
  } catch (err) {
    if (err instanceof HclParseError) throw fail(err.reason, err);
    throw err;
  }
}
