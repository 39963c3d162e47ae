import { HclParseError, type HclPos } from './ast.ts';

/** Nesting of blocks, lists and objects deeper than this is a parse error, never a stack overflow. */
export const MAX_DEPTH = 100;

/** The text being parsed: offsets → line/column, and errors placed at an offset. */
export class Source {
  readonly text: string;
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    this.text = text;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  pos(offset: number): HclPos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  /** "line 3, column 5", for messages that point at a second place. */
  at(offset: number): string {
    const p = this.pos(offset);
    return `line ${p.line}, column ${p.column}`;
  }

  error(reason: string, offset: number): HclParseError {
    return new HclParseError(reason, this.pos(offset));
  }

  /** How the character at `offset` is named in a message. */
  describe(offset: number): string {
    if (offset >= this.text.length) return 'end of input';
    const ch = String.fromCodePoint(this.text.codePointAt(offset)!);
    if (ch === '\n' || ch === '\r') return 'end of line';
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f)
      return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return `'${ch}'`;
  }
}

/** A key or marker as shown in a message: quoted, escaped, and cut if absurdly long. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 61)}...` : name);
}
