import type { HclObjectItem, HclValue } from './ast.ts';
import { MAX_DEPTH, quoteName, Source } from './source.ts';

/**
 * Parses strict JSON (RFC 8259) into the same positioned tree as HCL values, so the JSON form of
 * a config or policy gets errors with line and column too. Unlike JSON.parse, messages never
 * quote the input (it may hold secrets), duplicate keys are an error rather than "last wins",
 * and nesting deeper than MAX_DEPTH is refused. Throws HclParseError.
 */
export function parseJSON(text: string): HclValue {
  const p = new JsonParser(text);
  const v = p.value();
  p.ws();
  if (p.i < text.length) throw p.src.error(`unexpected ${p.src.describe(p.i)} after the JSON value`, p.i);
  return v;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class JsonParser {
  readonly src: Source;
  private readonly t: string;
  i: number;
  private depth = 0;

  constructor(text: string) {
    this.src = new Source(text);
    this.t = text;
    this.i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  ws(): void {
    for (let c = this.t[this.i]; c === ' ' || c === '\t' || c === '\n' || c === '\r'; c = this.t[++this.i]);
  }

  private expected(what: string): never {
    throw this.src.error(`expected ${what}, found ${this.src.describe(this.i)}`, this.i);
  }

  value(): HclValue {
    this.ws();
    const start = this.i;
    const pos = this.src.pos(start);
    const c = this.t[start];
    if (c === '"') return { kind: 'string', value: this.string(), pos };
    if (c === '{' || c === '[') {
      if (++this.depth > MAX_DEPTH) throw this.src.error(`nesting is deeper than ${MAX_DEPTH} levels`, start);
      const v = c === '{' ? this.object(pos) : this.list(pos);
      this.depth--;
      return v;
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.t.startsWith(word, start)) {
        this.i += word.length;
        return v === null ? { kind: 'null', pos } : { kind: 'bool', value: v, pos };
      }
    }
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(this.t);
    if (m) {
      this.i += m[0].length;
      const value = Number(m[0]);
      if (!Number.isFinite(value)) throw this.src.error('number out of range', start);
      return { kind: 'number', value, pos };
    }
    return this.expected('a JSON value');
  }

  private object(pos: HclValue['pos']): HclValue {
    this.i++;
    const items: HclObjectItem[] = [];
    const seen = new Set<string>();
    this.ws();
    if (this.t[this.i] === '}') {
      this.i++;
      return { kind: 'object', items, pos };
    }
    for (;;) {
      this.ws();
      const keyStart = this.i;
      if (this.t[keyStart] !== '"') {
        this.expected(
          this.t[keyStart] === '}' ? 'a key (JSON allows no trailing comma)' : 'a double-quoted key',
        );
      }
      const key = this.string();
      if (seen.has(key)) throw this.src.error(`duplicate key ${quoteName(key)} in object`, keyStart);
      seen.add(key);
      this.ws();
      if (this.t[this.i] !== ':') this.expected(`':' after key ${quoteName(key)}`);
      this.i++;
      items.push({ key, value: this.value(), pos: this.src.pos(keyStart) });
      this.ws();
      const c = this.t[this.i++];
      if (c === '}') return { kind: 'object', items, pos };
      if (c !== ',') {
        this.i--;
        this.expected("',' or '}' in object");
      }
    }
  }

  private list(pos: HclValue['pos']): HclValue {
    this.i++;
    const items: HclValue[] = [];
    this.ws();
    if (this.t[this.i] === ']') {
      this.i++;
      return { kind: 'list', items, pos };
    }
    for (;;) {
      this.ws();
      if (this.t[this.i] === ']') this.expected('a value (JSON allows no trailing comma)');
      items.push(this.value());
      this.ws();
      const c = this.t[this.i++];
      if (c === ']') return { kind: 'list', items, pos };
      if (c !== ',') {
        this.i--;
        this.expected("',' or ']' in array");
      }
    }
  }

  private string(): string {
    const open = this.i++;
    let out = '';
    let chunk = this.i;
    for (;;) {
      const c = this.t[this.i];
      if (c === undefined) throw this.src.error("unterminated string: missing '\"'", open);
      if (c === '"') {
        out += this.t.slice(chunk, this.i++);
        return out;
      }
      if (c < ' ') throw this.src.error('control character in string (escape it, as in \\n)', this.i);
      if (c !== '\\') {
        this.i++;
        continue;
      }
      out += this.t.slice(chunk, this.i);
      const e = this.t[this.i + 1] ?? '';
      if (e === 'u') {
        const hex = this.t.slice(this.i + 2, this.i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex))
          throw this.src.error("invalid escape sequence: '\\u' needs 4 hex digits", this.i);
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.i += 6;
      } else {
        const r = ESCAPES[e];
        if (r === undefined) throw this.src.error('invalid escape sequence', this.i);
        out += r;
        this.i += 2;
      }
      chunk = this.i;
    }
  }
}
