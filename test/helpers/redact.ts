/**
 * What a failing assertion may print of a server answer. Answers carry tokens, accessors,
 * SecretIDs, generated passwords and unseal keys; a test that fails must say what went wrong
 * without writing them to the test output (CI logs are read by more people than the secrets are
 * meant for). `redact` keeps the shape of the answer and replaces those values.
 */

/** Fields whose values are secrets, or handles that act as them, wherever they appear. */
const SECRET_FIELDS = new Set([
  'client_token',
  'token',
  'accessor',
  'secret_id',
  'secret_id_accessor',
  'password',
  'root_token',
  'encoded_token',
  'encoded_root_token',
  'keys',
  'keys_base64',
  'key',
  'otp',
  'nonce',
]);

/** Coffer's tokens (service, batch, recovery) wherever they appear in text. */
const TOKEN_PATTERN = /\bhv[sbr]\.[A-Za-z0-9_-]+/g;
export const REDACTED = '<redacted>';

function walk(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(walk);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELDS.has(k) && v !== null && v !== '' ? REDACTED : walk(v);
  }
  return out;
}

/** The answer's text with its secret values replaced; text that is not JSON loses its tokens only. */
export function redact(text: string): string {
  let shown = text;
  try {
    shown = JSON.stringify(walk(JSON.parse(text)));
  } catch {
    // Not JSON (an empty body, an HTML error page): only the token pattern applies.
  }
  return shown.replace(TOKEN_PATTERN, (m) => `${m.slice(0, 4)}${REDACTED}`);
}
