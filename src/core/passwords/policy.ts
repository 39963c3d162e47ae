import {
  documentEntries,
  groupEntries,
  HclDecoder,
  type HclEntry,
  type HclPos,
  type HclSection,
  suggestKey,
} from '../../hcl/index.ts';
import { BadRequestError } from '../../sdk/errors.ts';

/**
 * Vault's password policy language (`sys/policies/password/:name`), in HCL or its JSON form:
 *
 *     length = 20
 *     rule "charset" {
 *       charset   = "abcdefghijklmnopqrstuvwxyz"
 *       min-chars = 1
 *     }
 *
 * Passwords are drawn from the union of every rule's charset; each rule's `min-chars` must be
 * met. Unknown keys and rule types are refused with their line and column.
 */

export const MIN_LENGTH = 4;
export const MAX_LENGTH = 100;

export interface CharsetRule {
  /** The distinct characters (code points) of the rule, in first-seen order. */
  readonly charset: readonly string[];
  readonly minChars: number;
}

export interface PasswordPolicy {
  readonly length: number;
  readonly rules: readonly CharsetRule[];
  /** The union of every rule's charset, each character once, in first-seen order. */
  readonly charset: readonly string[];
}

const fail = (reason: string, pos: HclPos | undefined): Error =>
  new BadRequestError(
    `unable to parse password policy: ${pos ? `line ${pos.line}, column ${pos.column}: ` : ''}${reason}`,
  );

const EXAMPLE = 'rule "charset" { charset = "abc" }';

/** Distinct code points of a string, in first-seen order. */
export function distinctChars(text: string): string[] {
  return [...new Set(Array.from(text))];
}

/** Parses and validates a policy; throws BadRequestError naming the line and column. */
export function parsePasswordPolicy(text: string): PasswordPolicy {
  const { entries, pos: docPos } = documentEntries(text, fail, 'policy');

  const d = new HclDecoder(fail);
  const groups = groupEntries(entries);
  checkKeys(groups, ['length', 'rule'], '');

  const lengthEntry = d.single(groups.get('length'), '');
  if (!lengthEntry) throw fail('"length" is required', docPos);
  const length = d.count(lengthEntry, '');
  if (length < MIN_LENGTH || length > MAX_LENGTH) {
    throw fail(`"length" must be between ${MIN_LENGTH} and ${MAX_LENGTH}`, lengthEntry.value?.pos);
  }

  const rules: CharsetRule[] = [];
  for (const e of groups.get('rule') ?? []) {
    for (const section of d.sections(e, 1, EXAMPLE)) rules.push(parseRule(d, section));
  }
  if (rules.length === 0) throw fail(`at least one rule is required, as in ${EXAMPLE}`, docPos);

  const required = rules.reduce((n, r) => n + r.minChars, 0);
  if (required > length) {
    throw fail(`the rules' min-chars add up to ${required}, more than the length ${length}`, lengthEntry.pos);
  }
  const charset = distinctChars(rules.flatMap((r) => r.charset).join(''));
  return Object.freeze({ length, rules: Object.freeze(rules), charset: Object.freeze(charset) });
}

function checkKeys(groups: Map<string, HclEntry[]>, known: readonly string[], where: string): void {
  for (const [key, list] of groups) {
    if (known.includes(key)) continue;
    const hint = suggestKey(key, known);
    throw fail(`${where}unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`, list[0]!.pos);
  }
}

function parseRule(d: HclDecoder, section: HclSection): CharsetRule {
  const type = section.labels[0]!;
  if (type !== 'charset')
    throw fail(`unknown rule type ${JSON.stringify(type)} (want "charset")`, section.pos);
  const where = 'rule "charset": ';
  const groups = groupEntries(section.entries);
  checkKeys(groups, ['charset', 'min-chars'], where);
  const charsetEntry = d.single(groups.get('charset'), where);
  if (!charsetEntry) throw fail(`${where}"charset" is required`, section.pos);
  const charset = distinctChars(d.string(charsetEntry, where));
  if (charset.length === 0) throw fail(`${where}"charset" must not be empty`, charsetEntry.value?.pos);
  const minEntry = d.single(groups.get('min-chars'), where);
  const minChars = minEntry ? d.count(minEntry, where) : 0;
  return Object.freeze({ charset: Object.freeze(charset), minChars });
}
