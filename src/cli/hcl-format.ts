/**
 * Canonical HCL for `coffer policy fmt`: two-space indent, `=` aligned across adjacent one-line
 * attributes, one blank line around blocks, labels always quoted. Built from the src/hcl tree;
 * comments, which the tree does not hold, are found by a small scanner and put back on their own
 * lines before the item that followed them.
 */
import { type HclBody, type HclValue, parseHCL } from '../hcl/index.ts';

interface Comment {
  line: number;
  text: string;
  /** Code stands before it on its line. */
  trailing: boolean;
}

/** The formatted text of an HCL document; throws HclParseError (with line and column). */
export function formatHcl(text: string): string {
  const body = parseHCL(text);
  const comments = scanComments(text);
  const out: string[] = [];
  emitBody(body, 0, comments, out);
  for (const c of comments.splice(0)) out.push(c.text);
  while (out.at(-1) === '') out.pop();
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function emitBody(body: HclBody, depth: number, comments: Comment[], out: string[]): void {
  const pad = '  '.repeat(depth);
  const items = body.items;
  let i = 0;
  while (i < items.length) {
    const item = items[i]!;
    if (i > 0 && (item.kind === 'block' || items[i - 1]!.kind === 'block')) out.push('');
    if (item.kind === 'block') {
      leading(item.pos.line, pad, comments, out);
      const labels = item.labels.map((l) => ` ${quote(l)}`).join('');
      if (item.body.items.length === 0) {
        out.push(`${pad}${key(item.name)}${labels} {}`);
        i++;
        continue;
      }
      out.push(`${pad}${key(item.name)}${labels} {`);
      emitBody(item.body, depth + 1, comments, out);
      out.push(`${pad}}`);
      i++;
      continue;
    }
    // A run of attributes: align the `=` of the one-line ones.
    let end = i;
    while (end < items.length && items[end]!.kind === 'attribute') end++;
    const run = items.slice(i, end).map((a) => (a.kind === 'attribute' ? a : undefined)!);
    const rendered = run.map((a) => value(a.value, depth));
    const width = Math.max(...run.map((a, n) => (rendered[n]!.includes('\n') ? 0 : key(a.name).length)));
    run.forEach((a, n) => {
      leading(a.pos.line, pad, comments, out);
      const name = key(a.name);
      const v = rendered[n]!;
      let text = `${pad}${v.includes('\n') ? name : name.padEnd(width)} = ${v}`;
      const next = comments[0];
      if (next?.trailing && next.line === a.pos.line && !v.includes('\n'))
        text += ` ${comments.shift()!.text}`;
      out.push(text);
    });
    i = end;
  }
}

/** Comments that stood before `line` go out first, at this depth. */
function leading(line: number, pad: string, comments: Comment[], out: string[]): void {
  while (comments.length > 0 && comments[0]!.line < line) out.push(`${pad}${comments.shift()!.text}`);
}

function value(v: HclValue, depth: number): string {
  switch (v.kind) {
    case 'string':
      return quote(v.value);
    case 'number':
      return String(v.value);
    case 'bool':
      return String(v.value);
    case 'null':
      return 'null';
    case 'list': {
      const items = v.items.map((x) => value(x, depth + 1));
      if (!items.some((x) => x.includes('\n'))) return `[${items.join(', ')}]`;
      const pad = '  '.repeat(depth + 1);
      return `[\n${items.map((x) => `${pad}${x},`).join('\n')}\n${'  '.repeat(depth)}]`;
    }
    case 'object': {
      if (v.items.length === 0) return '{}';
      const pad = '  '.repeat(depth + 1);
      const keys = v.items.map((x) => key(x.key));
      const width = Math.max(...keys.map((k) => k.length));
      const lines = v.items.map((x, n) => `${pad}${keys[n]!.padEnd(width)} = ${value(x.value, depth + 1)}`);
      return `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}`;
    }
  }
}

function key(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? name : quote(name);
}

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * The comments of a document that parsed, with the line they start on; skips strings and
 * heredocs. A comment after code on its line is kept too (it moves onto its own line).
 */
export function scanComments(text: string): Comment[] {
  const comments: Comment[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const trailing = (at: number) => text.slice(lineStart, at).trim() !== '';
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      i++;
    } else if (c === '<' && next === '<') {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(text.slice(i));
      if (!m) {
        i += 2;
        continue;
      }
      const marker = m[1]!;
      i += m[0].length;
      line++;
      for (;;) {
        const eol = text.indexOf('\n', i);
        const current = text.slice(i, eol === -1 ? text.length : eol).trim();
        i = eol === -1 ? text.length : eol + 1;
        if (current === marker || eol === -1) break;
        line++;
      }
      line++;
      lineStart = i;
    } else if (c === '#' || (c === '/' && next === '/')) {
      const eol = text.indexOf('\n', i);
      const end = eol === -1 ? text.length : eol;
      comments.push({ line, text: text.slice(i, end).trimEnd(), trailing: trailing(i) });
      i = end;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2) + 2;
      const body = text.slice(i, end);
      comments.push({ line, text: body, trailing: trailing(i) });
      const lines = body.split('\n');
      line += lines.length - 1;
      if (lines.length > 1) lineStart = i + body.lastIndexOf('\n') + 1;
      i = end;
    } else i++;
  }
  return comments;
}
