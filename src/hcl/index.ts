export type {
  HclAttribute,
  HclBlock,
  HclBody,
  HclObjectItem,
  HclPos,
  HclValue,
  JsonLike,
} from './ast.ts';
export { HclParseError } from './ast.ts';
export type { HclEntry, HclSection, MakeError } from './decode.ts';
export { documentEntries, entriesOf, groupEntries, HclDecoder, kindName, suggestKey } from './decode.ts';
export { parseJSON } from './json.ts';
export { blockToJSONLike, toJSONLike } from './json-like.ts';
export { parseHCL } from './parse.ts';
export { MAX_DEPTH } from './source.ts';
