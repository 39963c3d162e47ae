/** The options every audit device takes, interpreted by the broker (formatting and hashing). */
import { BadRequestError, InvalidFieldError } from '../../sdk/errors.ts';

export interface CommonOptions {
  logRaw: boolean;
  hmacAccessor: boolean;
  elideListResponses: boolean;
  /** Written before each JSON line. */
  prefix: string;
}

export const COMMON_OPTION_KEYS: readonly string[] = [
  'log_raw',
  'hmac_accessor',
  'format',
  'prefix',
  'elide_list_responses',
];

/** Splits the options into the broker's and the device's own. Throws 400 on bad values. */
export function splitOptions(options: Readonly<Record<string, string>>): {
  common: CommonOptions;
  device: Record<string, string>;
} {
  const device: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) if (!COMMON_OPTION_KEYS.includes(k)) device[k] = v;
  const format = options.format ?? 'json';
  if (format === 'jsonx') throw new BadRequestError('format "jsonx" is not supported; use "json"');
  if (format !== 'json') throw new InvalidFieldError('option "format": expected "json"');
  return {
    common: {
      logRaw: bool(options, 'log_raw', false),
      hmacAccessor: bool(options, 'hmac_accessor', true),
      elideListResponses: bool(options, 'elide_list_responses', false),
      prefix: options.prefix ?? '',
    },
    device,
  };
}

/** Go's strconv.ParseBool, which Vault uses for these options. */
function bool(options: Readonly<Record<string, string>>, key: string, def: boolean): boolean {
  const v = options[key];
  if (v === undefined || v === '') return def;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new InvalidFieldError(`option "${key}": expected a boolean`);
}
