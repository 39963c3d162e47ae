/**
 * Statement templates: `{{name}}` / `{{username}}`, `{{password}}`, `{{expiration}}` substituted
 * so that no value can change the statement. Each placeholder is escaped for the quoting context it
 * stands in (a "…" identifier, a '…' literal, a `…` identifier) or, when unquoted, quoted as an
 * identifier (names) or a literal (password, expiration). A value with a NUL byte is refused.
 */
export interface Dialect {
  /** Escape text for inside '…' (PostgreSQL doubles '; MySQL also escapes backslash). */
  literal(s: string): string;
  /** Escape text for inside "…". */
  doubleQuoted(s: string): string;
  /** Escape text for inside `…` (MySQL); undefined if the dialect has none. */
  backQuoted?(s: string): string;
  /** Quote an unquoted identifier. */
  quoteIdent(s: string): string;
}

export const postgresDialect: Dialect = {
  literal: (s) => s.replaceAll("'", "''"),
  doubleQuoted: (s) => s.replaceAll('"', '""'),
  quoteIdent: (s) => `"${s.replaceAll('"', '""')}"`,
};

export const mysqlDialect: Dialect = {
  literal: (s) => s.replaceAll('\\', '\\\\').replaceAll("'", "''"),
  doubleQuoted: (s) => s.replaceAll('\\', '\\\\').replaceAll('"', '""'),
  backQuoted: (s) => s.replaceAll('`', '``'),
  quoteIdent: (s) => `\`${s.replaceAll('`', '``')}\``,
};

export interface TemplateValues {
  name?: string;
  password?: string;
  expiration?: string;
}

const PLACEHOLDER = /\{\{\s*(name|username|password|expiration)\s*\}\}/y;

/** Renders one statement. Throws on a value with NUL, or on an unterminated quote around a placeholder. */
export function renderStatement(template: string, values: TemplateValues, dialect: Dialect): string {
  for (const v of Object.values(values)) {
    if (typeof v === 'string' && v.includes('\0')) throw new Error('a template value holds a NUL byte');
  }
  let out = '';
  let quote: '' | "'" | '"' | '`' = '';
  let i = 0;
  while (i < template.length) {
    PLACEHOLDER.lastIndex = i;
    const m = PLACEHOLDER.exec(template);
    if (m) {
      const key = m[1] === 'username' ? 'name' : (m[1] as keyof TemplateValues);
      const value = values[key];
      if (value === undefined) throw new Error(`no value for {{${m[1]}}}`);
      if (quote === "'") out += dialect.literal(value);
      else if (quote === '"') out += dialect.doubleQuoted(value);
      else if (quote === '`') {
        if (!dialect.backQuoted) throw new Error('backquotes are not valid in this dialect');
        out += dialect.backQuoted(value);
      } else out += key === 'name' ? dialect.quoteIdent(value) : `'${dialect.literal(value)}'`;
      i = PLACEHOLDER.lastIndex;
      continue;
    }
    const c = template[i]!;
    if (quote === '' && (c === "'" || c === '"' || c === '`')) quote = c;
    else if (quote !== '' && c === quote) {
      // A doubled quote inside a quoted run stays inside it.
      if (template[i + 1] === quote) {
        out += c + c;
        i += 2;
        continue;
      }
      quote = '';
    } else if (quote === "'" && c === '\\' && dialect === mysqlDialect) {
      out += c + (template[i + 1] ?? '');
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  if (quote !== '') throw new Error('unterminated quote in statement template');
  return out;
}

/** Splits a role's statement strings on `;` outside quotes (Vault lets one string hold several). */
export function splitStatements(statements: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    let cur = '';
    let quote = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (quote === '' && (c === "'" || c === '"' || c === '`')) quote = c;
      else if (quote !== '' && c === quote) quote = '';
      if (c === ';' && quote === '') {
        if (cur.trim() !== '') out.push(cur.trim());
        cur = '';
      } else cur += c;
    }
    if (cur.trim() !== '') out.push(cur.trim());
  }
  return out;
}
