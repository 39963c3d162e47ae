import type { HclAttribute, HclBlock, HclBody, HclObjectItem, HclValue } from './ast.ts';
import { MAX_DEPTH, quoteName, Source } from './source.ts';

/**
 * Parses the HCL subset that Vault's server configs and ACL policies use (HCL1 style):
 * attributes, blocks with string or bare labels, strings, heredocs, numbers, booleans, null,
 * lists and object literals; `#`, `//` and `/* *\/` comments. There is no interpolation:
 * `${...}` and `{{...}}` stay literal text. Throws HclParseError with line and column.
 */
export function parseHCL(text: string): HclBody {
  return new HclParser(text).file();
}

const NUMBER = /-?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/y;
const HEREDOC_MARKER = /[A-Za-z_][A-Za-z0-9_]*/y;
const HEX = /^[0-9a-fA-F]+$/;

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || (c > '\x7f' && /\p{L}/u.test(c));
}
function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === '-' || (c > '\x7f' && /\p{N}/u.test(c));
}

class HclParser {
  private readonly src: Source;
  private readonly t: string;
  private i: number;
  private depth = 0;

  constructor(text: string) {
    this.src = new Source(text);
    this.t = text;
    this.i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  file(): HclBody {
    return this.body(undefined);
  }

  /** Skips blanks and comments; says whether a newline was crossed. */
  private skip(): boolean {
    const t = this.t;
    let newline = false;
    while (this.i < t.length) {
      const c = t[this.i];
      const next = t[this.i + 1];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') this.i++;
      else if (c === '\n') {
        newline = true;
        this.i++;
      } else if (c === '#' || (c === '/' && next === '/')) {
        const end = t.indexOf('\n', this.i);
        this.i = end === -1 ? t.length : end;
      } else if (c === '/' && next === '*') {
        const end = t.indexOf('*/', this.i + 2);
        if (end === -1) throw this.src.error("unterminated comment: missing '*/'", this.i);
        if (t.slice(this.i, end).includes('\n')) newline = true;
        this.i = end + 2;
      } else break;
    }
    return newline;
  }

  private enter(offset: number): void {
    if (++this.depth > MAX_DEPTH) throw this.src.error(`nesting is deeper than ${MAX_DEPTH} levels`, offset);
  }

  private unclosed(what: string, open: number, close: string): never {
    throw this.src.error(
      `unexpected end of input: the ${what} opened at ${this.src.at(open)} is not closed with '${close}'`,
      this.i,
    );
  }

  /** The items of a file (`open` undefined) or of a block up to, not including, its '}'. */
  private body(open: number | undefined): HclBody {
    const items: Array<HclAttribute | HclBlock> = [];
    for (;;) {
      this.skip();
      const c = this.t[this.i];
      if (c === undefined) {
        if (open !== undefined) this.unclosed('block', open, '}');
        break;
      }
      if (c === '}') {
        if (open !== undefined) break;
        throw this.src.error("unexpected '}' with no block to close", this.i);
      }
      const item = this.item();
      items.push(item);
      const newline = this.skip();
      const d = this.t[this.i];
      if (d === ',') this.i++;
      else if (!newline && d !== undefined && d !== '}') {
        const what = item.kind === 'block' ? 'block' : 'attribute';
        throw this.src.error(
          `expected a newline after ${what} ${quoteName(item.name)}, found ${this.src.describe(this.i)}`,
          this.i,
        );
      }
    }
    return { kind: 'body', items };
  }

  /** `key = value` or `type label... { body }`. */
  private item(): HclAttribute | HclBlock {
    const start = this.i;
    const pos = this.src.pos(start);
    const c = this.t[start]!;
    let name: string;
    if (c === '"') name = this.string();
    else if (isIdentStart(c)) name = this.ident();
    else
      throw this.src.error(
        `expected an attribute name or a block type, found ${this.src.describe(start)}`,
        start,
      );
    const afterKey = this.i;
    const expectedEquals = () => this.src.error(`expected '=' after key ${quoteName(name)}`, afterKey);
    if (this.skip()) throw expectedEquals();
    if (this.t[this.i] === '=') {
      this.i++;
      return { kind: 'attribute', name, value: this.value(true), pos };
    }
    if (c === '"') throw expectedEquals();

    const labels: string[] = [];
    let quotedLabel = false;
    let afterLabel = this.i;
    while (this.t[this.i] !== '{') {
      const l = this.t[this.i];
      if (l === '"') {
        labels.push(this.string());
        quotedLabel = true;
      } else if (l !== undefined && isIdentStart(l)) labels.push(this.ident());
      else break;
      afterLabel = this.i;
      if (this.skip() && this.t[this.i] !== '{') break;
    }
    if (this.t[this.i] !== '{') {
      if (!quotedLabel) throw expectedEquals();
      const sameLine = !this.t.slice(afterLabel, this.i).includes('\n') && this.i < this.t.length;
      const where = sameLine ? this.i : afterLabel;
      const found = sameLine ? `, found ${this.src.describe(this.i)}` : '';
      throw this.src.error(`expected '{' after the labels of block ${quoteName(name)}${found}`, where);
    }
    const open = this.i++;
    this.enter(open);
    const body = this.body(open);
    this.i++;
    this.depth--;
    return { kind: 'block', name, labels, body, pos };
  }

  /** A value; `afterEquals` when it follows '=' or ':' (a word on the next line is then not it). */
  private value(afterEquals = false): HclValue {
    const from = this.i;
    const newline = this.skip();
    const start = this.i;
    const c = this.t[start];
    const pos = this.src.pos(start);
    if (c === undefined) throw this.src.error('expected a value, found end of input', start);
    if (c === '"') return { kind: 'string', value: this.string(), pos };
    if (c === '[') return this.list();
    if (c === '{') return this.object();
    if (c === '<' && this.t[start + 1] === '<') return { kind: 'string', value: this.heredoc(), pos };
    if (c === '-' || (c >= '0' && c <= '9')) return { kind: 'number', value: this.number(), pos };
    if (isIdentStart(c)) {
      const word = this.ident();
      if (word === 'true' || word === 'false') return { kind: 'bool', value: word === 'true', pos };
      if (word === 'null') return { kind: 'null', pos };
      // `a =` then `b = 1` on the next line: the value is missing, `b` is not it.
      if (newline && afterEquals) throw this.src.error('expected a value, found end of line', from);
      // The word itself is not echoed: it may be a secret someone forgot to quote.
      throw this.src.error('expected a value, found an unquoted word (strings must be quoted)', start);
    }
    throw this.src.error(`expected a value, found ${this.src.describe(start)}`, start);
  }

  private list(): HclValue {
    const open = this.i++;
    const pos = this.src.pos(open);
    this.enter(open);
    const items: HclValue[] = [];
    for (;;) {
      this.skip();
      if (this.t[this.i] === ']') break;
      if (this.i >= this.t.length) this.unclosed('list', open, ']');
      items.push(this.value());
      this.skip();
      const c = this.t[this.i];
      if (c === ',') this.i++;
      else if (c === ']') break;
      else if (c === undefined) this.unclosed('list', open, ']');
      else throw this.src.error(`expected ',' or ']' in list, found ${this.src.describe(this.i)}`, this.i);
    }
    this.i++;
    this.depth--;
    return { kind: 'list', items, pos };
  }

  /** `{ k = v, "k2": v }`: items separated by commas or newlines; keys are unique. */
  private object(): HclValue {
    const open = this.i++;
    const pos = this.src.pos(open);
    this.enter(open);
    const items: HclObjectItem[] = [];
    const seen = new Set<string>();
    for (;;) {
      this.skip();
      const c = this.t[this.i];
      if (c === '}') break;
      if (c === undefined) this.unclosed('object', open, '}');
      const keyStart = this.i;
      let key: string;
      if (c === '"') key = this.string();
      else if (isIdentStart(c)) key = this.ident();
      else throw this.src.error(`expected an object key, found ${this.src.describe(keyStart)}`, keyStart);
      const afterKey = this.i;
      const newline = this.skip();
      const sep = this.t[this.i];
      if (newline || (sep !== '=' && sep !== ':')) {
        throw this.src.error(`expected '=' or ':' after key ${quoteName(key)}`, newline ? afterKey : this.i);
      }
      this.i++;
      if (seen.has(key)) throw this.src.error(`duplicate key ${quoteName(key)} in object`, keyStart);
      seen.add(key);
      items.push({ key, value: this.value(true), pos: this.src.pos(keyStart) });
      const nl = this.skip();
      const d = this.t[this.i];
      if (d === ',') this.i++;
      else if (d === '}') break;
      else if (d === undefined) this.unclosed('object', open, '}');
      else if (!nl) {
        throw this.src.error(`expected ',' or a newline after the value of ${quoteName(key)}`, this.i);
      }
    }
    this.i++;
    this.depth--;
    return { kind: 'object', items, pos };
  }

  private ident(): string {
    const start = this.i;
    while (this.i < this.t.length && isIdentChar(this.t[this.i]!)) this.i++;
    return this.t.slice(start, this.i);
  }

  /** A double-quoted string on one line, with escapes. */
  private string(): string {
    const open = this.i++;
    let out = '';
    let chunk = this.i;
    for (;;) {
      const c = this.t[this.i];
      if (c === undefined || c === '\n') {
        throw this.src.error(`unterminated string: missing '"' before the end of the line`, open);
      }
      if (c === '"') {
        out += this.t.slice(chunk, this.i++);
        return out;
      }
      if (c === '\\') {
        out += this.t.slice(chunk, this.i);
        out += this.escape();
        chunk = this.i;
      } else this.i++;
    }
  }

  private escape(): string {
    const at = this.i;
    const e = this.t[at + 1];
    this.i += 2;
    switch (e) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'u':
      case 'U': {
        const n = e === 'u' ? 4 : 8;
        const hex = this.t.slice(this.i, this.i + n);
        if (hex.length !== n || !HEX.test(hex)) {
          throw this.src.error(`invalid escape sequence: '\\${e}' needs ${n} hex digits`, at);
        }
        const cp = Number.parseInt(hex, 16);
        if (cp > 0x10ffff) throw this.src.error('invalid escape sequence: code point out of range', at);
        this.i += n;
        return n === 4 ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      }
    }
    const shown = e !== undefined && e >= ' ' && e <= '~' ? ` '\\${e}'` : '';
    throw this.src.error(`invalid escape sequence${shown} (use \\n \\t \\r \\" \\\\ \\uXXXX)`, at);
  }

  /** `<<EOF` … `EOF`, or `<<-EOF` with the common indentation removed; no escapes inside. */
  private heredoc(): string {
    const start = this.i;
    this.i += 2;
    const indented = this.t[this.i] === '-';
    if (indented) this.i++;
    HEREDOC_MARKER.lastIndex = this.i;
    const m = HEREDOC_MARKER.exec(this.t);
    if (!m) throw this.src.error("expected a heredoc marker after '<<', as in <<EOF", this.i);
    const marker = m[0];
    this.i += marker.length;
    const eol = this.t.indexOf('\n', this.i);
    if (this.t.slice(this.i, eol === -1 ? undefined : eol).trim() !== '') {
      throw this.src.error(`expected a newline after heredoc marker ${quoteName(marker)}`, this.i);
    }
    const unterminated = () =>
      this.src.error(`unterminated heredoc: no line holds the closing marker ${quoteName(marker)}`, start);
    if (eol === -1) throw unterminated();
    const lines: string[] = [];
    for (let p = eol + 1; ; ) {
      const nl = this.t.indexOf('\n', p);
      const end = nl === -1 ? this.t.length : nl;
      const line = this.t.slice(p, end).replace(/\r$/, '');
      if (line.trim() === marker) {
        this.i = end;
        break;
      }
      if (nl === -1) throw unterminated();
      lines.push(line);
      p = nl + 1;
    }
    if (indented) {
      const lead = (l: string) => /^[ \t]*/.exec(l)![0].length;
      let min = Number.POSITIVE_INFINITY;
      for (const l of lines) if (l.trim() !== '') min = Math.min(min, lead(l));
      for (let k = 0; k < lines.length; k++) lines[k] = lines[k]!.slice(Math.min(min, lead(lines[k]!)));
    }
    return lines.map((l) => `${l}\n`).join('');
  }

  private number(): number {
    const start = this.i;
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(this.t);
    if (!m) throw this.src.error(`expected a value, found ${this.src.describe(start)}`, start);
    const raw = m[0];
    const next = this.t[start + raw.length];
    if (next !== undefined && (next === '.' || isIdentChar(next))) {
      throw this.src.error('invalid number (quote durations and other words, as in "30s")', start);
    }
    const negative = raw.startsWith('-');
    const v = Number(negative ? raw.slice(1) : raw);
    if (!Number.isFinite(v)) throw this.src.error('number out of range', start);
    this.i = start + raw.length;
    return negative ? -v : v;
  }
}
