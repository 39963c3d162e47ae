/**
 * The generic tree that parseHCL and parseJSON produce. Every node carries the 1-based line and
 * column where it starts, so a consumer (server config, ACL policies) can name the place of a
 * semantic error as precisely as the parser names a syntax error.
 */
export interface HclPos {
  readonly line: number;
  readonly column: number;
}

export type HclValue =
  | { readonly kind: 'string'; readonly value: string; readonly pos: HclPos }
  | { readonly kind: 'number'; readonly value: number; readonly pos: HclPos }
  | { readonly kind: 'bool'; readonly value: boolean; readonly pos: HclPos }
  | { readonly kind: 'null'; readonly pos: HclPos }
  | { readonly kind: 'list'; readonly items: readonly HclValue[]; readonly pos: HclPos }
  | { readonly kind: 'object'; readonly items: readonly HclObjectItem[]; readonly pos: HclPos };

/** One `key = value` (or `key: value`) of an object literal; keys are unique within an object. */
export interface HclObjectItem {
  readonly key: string;
  readonly value: HclValue;
  readonly pos: HclPos;
}

/** `name = value` in a body. */
export interface HclAttribute {
  readonly kind: 'attribute';
  readonly name: string;
  readonly value: HclValue;
  readonly pos: HclPos;
}

/** `name "label" ... { body }`; repeated blocks of one name stay separate, in source order. */
export interface HclBlock {
  readonly kind: 'block';
  readonly name: string;
  readonly labels: readonly string[];
  readonly body: HclBody;
  readonly pos: HclPos;
}

/** A file, or the inside of a block: attributes and blocks in source order. */
export interface HclBody {
  readonly kind: 'body';
  readonly items: ReadonlyArray<HclAttribute | HclBlock>;
}

/** The plain data that HCL's JSON form would hold. */
export type JsonLike = string | number | boolean | null | JsonLike[] | { [key: string]: JsonLike };

/** A syntax error: `message` is "line 3, column 5: expected '=' after key \"foo\"". */
export class HclParseError extends Error {
  readonly line: number;
  readonly column: number;
  /** The message without its position prefix. */
  readonly reason: string;

  constructor(reason: string, pos: HclPos) {
    super(`line ${pos.line}, column ${pos.column}: ${reason}`);
    this.name = 'HclParseError';
    this.line = pos.line;
    this.column = pos.column;
    this.reason = reason;
  }
}
