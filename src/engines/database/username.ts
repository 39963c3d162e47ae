/**
 * Username templates: a documented subset of Vault's Go templates.
 *
 *   {{.DisplayName}} {{.RoleName}}         the token's display name, the role's name
 *   {{random N}}                           N characters of [A-Za-z0-9] (1 ≤ N ≤ 128)
 *   {{unix_time}} {{unix_time_millis}}     the current time
 *   … | truncate N | lowercase | uppercase | replace "a" "b"
 *
 * The result keeps only [A-Za-z0-9_-] (anything else is stripped) and is cut to the plugin's
 * longest username.
 */
export const DEFAULT_USERNAME_TEMPLATE =
  'v-{{.DisplayName | truncate 8}}-{{.RoleName | truncate 8}}-{{random 20}}-{{unix_time}}';

export interface UsernameInputs {
  displayName: string;
  roleName: string;
  now: Date;
  /** Random bytes (injected). */
  random(bytes: number): Buffer;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomString(n: number, random: (bytes: number) => Buffer): string {
  let out = '';
  while (out.length < n) {
    for (const b of random(n * 2)) if (b < 248 && out.length < n) out += ALNUM[b % 62];
  }
  return out;
}

/** Splits `a | b "c d" 3` into words, keeping quoted strings (without the quotes) as one word. */
function tokenize(expr: string): { word: string; quoted: boolean }[] {
  const out: { word: string; quoted: boolean }[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|(\|)|([^\s|"]+))/y;
  let i = 0;
  while (i < expr.length) {
    re.lastIndex = i;
    const m = re.exec(expr);
    if (!m || m[0] === '') {
      if (expr.slice(i).trim() === '') break;
      throw new Error('username_template: cannot parse an action');
    }
    if (m[1] !== undefined) out.push({ word: m[1].replace(/\\(.)/g, '$1'), quoted: true });
    else out.push({ word: m[2] ?? m[3] ?? '', quoted: false });
    i = re.lastIndex;
  }
  return out;
}

function intArg(word: { word: string } | undefined, what: string): number {
  if (!word || !/^\d{1,3}$/.test(word.word)) throw new Error(`username_template: ${what} needs a number`);
  return Number(word.word);
}

function evalAction(expr: string, inp: UsernameInputs): string {
  const stages: { word: string; quoted: boolean }[][] = [[]];
  for (const t of tokenize(expr)) {
    if (t.word === '|' && !t.quoted) stages.push([]);
    else stages[stages.length - 1]!.push(t);
  }
  const [head, ...pipes] = stages;
  const [fn, ...args] = head ?? [];
  let value: string;
  switch (fn?.quoted ? '' : fn?.word) {
    case '.DisplayName':
      value = inp.displayName;
      break;
    case '.RoleName':
      value = inp.roleName;
      break;
    case 'random': {
      const n = intArg(args[0], 'random');
      if (n < 1 || n > 128) throw new Error('username_template: random takes 1 to 128');
      value = randomString(n, inp.random);
      break;
    }
    case 'unix_time':
      value = String(Math.floor(inp.now.getTime() / 1000));
      break;
    case 'unix_time_millis':
      value = String(inp.now.getTime());
      break;
    default:
      throw new Error('username_template: unknown action (see the supported subset)');
  }
  if (fn && !['random'].includes(fn.word) && args.length > 0)
    throw new Error(`username_template: ${fn.word} takes no arguments`);
  for (const stage of pipes) {
    const [name, ...a] = stage;
    switch (name?.word) {
      case 'truncate':
        value = value.slice(0, intArg(a[0], 'truncate'));
        break;
      case 'lowercase':
        value = value.toLowerCase();
        break;
      case 'uppercase':
        value = value.toUpperCase();
        break;
      case 'replace':
        if (a.length !== 2 || !a[0]!.quoted || !a[1]!.quoted || a[0]!.word === '')
          throw new Error('username_template: replace needs two quoted strings');
        value = value.replaceAll(a[0]!.word, a[1]!.word);
        break;
      default:
        throw new Error('username_template: unknown pipe function');
    }
  }
  return value;
}

/** Renders a template (throws an Error on a template outside the subset). */
export function renderUsernameTemplate(template: string, inp: UsernameInputs): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    if (open < 0) {
      out += template.slice(i);
      break;
    }
    const close = template.indexOf('}}', open + 2);
    if (close < 0) throw new Error('username_template: unterminated {{');
    out += template.slice(i, open) + evalAction(template.slice(open + 2, close), inp);
    i = close + 2;
  }
  return out;
}

/** Renders, strips characters outside [A-Za-z0-9_-], cuts to `maxLength`. Never empty. */
export function generateUsername(
  template: string | undefined,
  inp: UsernameInputs,
  maxLength: number,
): string {
  const raw = renderUsernameTemplate(template || DEFAULT_USERNAME_TEMPLATE, inp);
  const clean = raw.replace(/[^A-Za-z0-9_-]/g, '').slice(0, maxLength);
  if (clean === '') throw new Error('username_template produced an empty username');
  return clean;
}

/** A display name as it may appear in a username. */
export function sanitizeDisplayName(name: string | undefined): string {
  const clean = (name ?? '').replace(/[^A-Za-z0-9_-]/g, '');
  return clean === '' ? 'token' : clean;
}
