/** Table and JSON rendering in the style of Vault's CLI. */

const GLUE = '    ';

/** Left-aligned columns joined by four spaces; the last column is not padded. */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join(GLUE)
        .trimEnd(),
    )
    .join('\n');
}

/** A table with a header row underlined by dashes ("Key  Value / ---  -----"). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return columns([headers, headers.map((h) => '-'.repeat(h.length)), ...rows]);
}

/** The usual two-column Key/Value table; empty strings read "n/a". */
export function keyValueTable(rows: readonly (readonly [string, unknown])[]): string {
  return table(
    ['Key', 'Value'],
    rows.map(([k, v]) => [k, formatValue(v)]),
  );
}

/** The rows of a data map, sorted by key. */
export function dataRows(data: Record<string, unknown> | null | undefined): [string, unknown][] {
  if (!data) return [];
  return Object.keys(data)
    .sort()
    .map((k) => [k, data[k]]);
}

/** A value as Vault's tables print it: Go's %v for lists and maps, <nil> for null, n/a for "". */
export function formatValue(value: unknown): string {
  if (value === '') return 'n/a';
  return goValue(value);
}

function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}:${goValue((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

/**
 * A section title centered in "=" to the width of what follows it:
 * `== Secret Path ==`, `======= Metadata =======`.
 */
export function sectionHeader(title: string, width: number): string {
  const side = Math.max(1, Math.ceil((width - title.length - 2) / 2));
  return `${'='.repeat(side)} ${title} ${'='.repeat(side)}`;
}

/** The header for a Key/Value table of these keys: as wide as its "Key … Value" line. */
export function headerForKeys(title: string, keys: readonly string[]): string {
  const keyWidth = Math.max(3, ...keys.map((k) => k.length));
  return sectionHeader(title, keyWidth + GLUE.length + 'Value'.length);
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Seconds as Go prints a time.Duration, without the zero tail: 3600 → "1h", 90 → "1m30s". */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.abs(Math.trunc(seconds));
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  let out = h > 0 ? `${h}h` : '';
  if (m > 0 || (h > 0 && s > 0)) out += `${m}m`;
  if (s > 0) out += `${s}s`;
  return sign + out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A timestamp as RFC 822 in UTC ("02 Jan 06 15:04 UTC"), as Vault prints install times. */
export function rfc822(value: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCFullYear() % 100)} ${two(
    d.getUTCHours(),
  )}:${two(d.getUTCMinutes())} UTC`;
}
