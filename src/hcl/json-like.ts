import type { HclBlock, HclBody, HclValue, JsonLike } from './ast.ts';

/**
 * The shape HCL's JSON form would have. Attributes become properties; a block becomes its body
 * nested under its labels (`listener "tcp" {…}` → `{"listener": {"tcp": {…}}}`); a name used
 * more than once in a body (repeated blocks) becomes an array of those values, in source order
 * (`{"path": [{"a": {…}}, {"b": {…}}]}`). Positions are dropped.
 */
export function toJSONLike(node: HclBody | HclValue): JsonLike {
  switch (node.kind) {
    case 'body':
      return bodyToJSON(node);
    case 'string':
    case 'number':
    case 'bool':
      return node.value;
    case 'null':
      return null;
    case 'list':
      return node.items.map(toJSONLike);
    case 'object': {
      const out: { [key: string]: JsonLike } = {};
      for (const item of node.items) setOwn(out, item.key, toJSONLike(item.value));
      return out;
    }
  }
}

/** A block's body wrapped in its labels: `a "x" "y" {…}` → `{"x": {"y": {…}}}`. */
export function blockToJSONLike(block: HclBlock): JsonLike {
  let out = bodyToJSON(block.body);
  for (let i = block.labels.length - 1; i >= 0; i--) {
    const wrapper: { [key: string]: JsonLike } = {};
    setOwn(wrapper, block.labels[i]!, out);
    out = wrapper;
  }
  return out;
}

function bodyToJSON(body: HclBody): { [key: string]: JsonLike } {
  const groups = new Map<string, JsonLike[]>();
  for (const item of body.items) {
    const v = item.kind === 'attribute' ? toJSONLike(item.value) : blockToJSONLike(item);
    const group = groups.get(item.name);
    if (group) group.push(v);
    else groups.set(item.name, [v]);
  }
  const out: { [key: string]: JsonLike } = {};
  for (const [name, values] of groups) setOwn(out, name, values.length === 1 ? values[0]! : values);
  return out;
}

/** Defines an own property, so a key like "__proto__" is data and never touches the prototype. */
function setOwn(obj: { [key: string]: JsonLike }, key: string, value: JsonLike): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
