/**
 * Go-style durations as Vault accepts them: an integer number of seconds (number or string), or
 * a sequence like "1h30m", "90s", "500ms" (rounded down to whole seconds), "7d" is not Go but
 * Vault accepts "d" too. Returns seconds, or undefined when the value is not a duration.
 *
 * At most MAX_DURATION_SECONDS either way, as in Go (Vault answers 400 beyond it): a larger value
 * is not a duration. Without the bound, "9999999999999h" or 1e300 were accepted and later added
 * to the clock, giving dates JavaScript cannot represent (500s on every read of what they touched).
 */
const UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Go's longest time.Duration (2^63-1 ns, about 292 years) in whole seconds. */
export const MAX_DURATION_SECONDS = 9_223_372_036;

export function parseDuration(v: unknown): number | undefined {
  const secs = parseUnbounded(v);
  return secs === undefined || Math.abs(secs) > MAX_DURATION_SECONDS ? undefined : secs;
}

function parseUnbounded(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.floor(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '') return 0;
  if (/^-?\d+$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let i = 0;
  let neg = false;
  if (s[0] === '-') {
    neg = true;
    i = 1;
  }
  if (i >= s.length) return undefined;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT[m[2]!] ?? 0);
    i = re.lastIndex;
  }
  if (!Number.isFinite(total)) return undefined;
  return (neg ? -1 : 1) * Math.floor(total);
}

/** Seconds → "1h2m3s" (Go's time.Duration.String for whole seconds). */
export function formatDuration(secs: number): string {
  if (secs === 0) return '0s';
  let out = secs < 0 ? '-' : '';
  let s = Math.abs(secs);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  return `${out}${s}s`;
}
