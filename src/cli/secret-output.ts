/** How a secret (the Vault response envelope) is shown: table rows, JSON, or one raw field. */
import type { Secret } from '../client/index.ts';
import type { Context } from './command.ts';
import { EXIT_LOCAL } from './exit-code.ts';
import type { FlagSpecs } from './flags.ts';
import { dataRows, formatValue, humanDuration, json, keyValueTable } from './output.ts';

type Ctx = Context<FlagSpecs>;

/** Lease, token, wrapping rows, then the data keys in order. */
export function secretRows(secret: Secret<unknown>): [string, unknown][] {
  const rows: [string, unknown][] = [];
  if (secret.lease_duration > 0) {
    if (secret.lease_id !== '') {
      rows.push(['lease_id', secret.lease_id]);
      rows.push(['lease_duration', humanDuration(secret.lease_duration)]);
      rows.push(['lease_renewable', secret.renewable]);
    } else {
      rows.push(['refresh_interval', humanDuration(secret.lease_duration)]);
    }
  }
  const auth = secret.auth;
  if (auth) {
    rows.push(['token', auth.client_token]);
    rows.push(['token_accessor', auth.accessor]);
    rows.push(['token_duration', auth.lease_duration === 0 ? '∞' : humanDuration(auth.lease_duration)]);
    rows.push(['token_renewable', auth.renewable]);
    rows.push(['token_policies', quotedList(auth.token_policies ?? auth.policies)]);
    rows.push(['identity_policies', quotedList(auth.identity_policies)]);
    rows.push(['policies', quotedList(auth.policies)]);
    for (const [k, v] of Object.entries(auth.metadata ?? {})) rows.push([`token_meta_${k}`, v]);
  }
  const wrap = secret.wrap_info;
  if (wrap) {
    rows.push(['wrapping_token:', wrap.token]);
    rows.push(['wrapping_accessor:', wrap.accessor]);
    rows.push(['wrapping_token_ttl:', humanDuration(wrap.ttl)]);
    rows.push(['wrapping_token_creation_time:', wrap.creation_time]);
    rows.push(['wrapping_token_creation_path:', wrap.creation_path]);
    if (wrap.wrapped_accessor) rows.push(['wrapped_accessor:', wrap.wrapped_accessor]);
  }
  const data = secret.data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    rows.push(...dataRows(data as Record<string, unknown>));
  }
  return rows;
}

/** A list as Go's %q prints a []string: `["default" "dev"]`. */
export function quotedList(values: readonly string[] | null | undefined): string {
  return `[${(values ?? []).map((v) => JSON.stringify(v)).join(' ')}]`;
}

/** The fields `-field` can name of a login (`auth`) or a wrapped response, as Vault's CLI has them. */
function envelopeField(secret: Secret<unknown>, field: string): { found: boolean; value?: unknown } {
  const auth = secret.auth;
  if (auth) {
    const fields: Record<string, unknown> = {
      token: auth.client_token,
      token_accessor: auth.accessor,
      token_duration: auth.lease_duration === 0 ? '∞' : humanDuration(auth.lease_duration),
      token_renewable: auth.renewable,
      token_policies: auth.token_policies ?? auth.policies ?? [],
      identity_policies: auth.identity_policies ?? [],
      policies: auth.policies ?? [],
    };
    if (Object.hasOwn(fields, field)) return { found: true, value: fields[field] };
  }
  const wrap = secret.wrap_info;
  if (wrap) {
    const fields: Record<string, unknown> = {
      wrapping_token: wrap.token,
      wrapping_accessor: wrap.accessor,
      wrapping_token_ttl: humanDuration(wrap.ttl),
      wrapping_token_creation_time: wrap.creation_time,
      wrapping_token_creation_path: wrap.creation_path,
      wrapped_accessor: wrap.wrapped_accessor ?? '',
    };
    if (Object.hasOwn(fields, field)) return { found: true, value: fields[field] };
  }
  return { found: false };
}

/** Warnings go to stderr, as Vault's do. */
export function printWarnings(ctx: Ctx, secret: Pick<Secret<unknown>, 'warnings'>): void {
  if (!secret.warnings || secret.warnings.length === 0) return;
  ctx.err(
    `WARNING! The following warnings were returned from Coffer:\n\n${secret.warnings.map((w) => `  * ${w}`).join('\n\n')}\n`,
  );
}

/** A secret as a Key/Value table, or the whole response as JSON. */
export function printSecret(ctx: Ctx, secret: Secret<unknown>): void {
  if (ctx.format === 'json') {
    ctx.json(secret);
    return;
  }
  printWarnings(ctx, secret);
  const rows = secretRows(secret);
  if (rows.length > 0) ctx.out(keyValueTable(rows));
}

/** The value of `-field`: a data key first, then the lease / token fields of the table. */
export function fieldOf(secret: Secret<unknown>, field: string): { found: boolean; value?: unknown } {
  const data = secret.data;
  if (data !== null && typeof data === 'object' && Object.hasOwn(data, field)) {
    return { found: true, value: (data as Record<string, unknown>)[field] };
  }
  const known = envelopeField(secret, field);
  if (known.found) return known;
  for (const [k, v] of secretRows(secret)) if (k === field) return { found: true, value: v };
  return { found: false };
}

/**
 * One field, raw: strings as they are, others as in the table (or JSON with -format=json).
 * No trailing newline unless stdout is a terminal, so `$(coffer kv get -field=x …)` is exact.
 */
export function printField(ctx: Ctx, value: unknown): void {
  const text = ctx.format === 'json' ? json(value) : typeof value === 'string' ? value : formatValue(value);
  ctx.io.stdout.write(ctx.io.stdout.isTTY ? `${text}\n` : text);
}

/** Prints `-field` from a secret; 1 when the field is not there. */
export function printFieldOf(ctx: Ctx, secret: Secret<unknown>, field: string): number {
  const { found, value } = fieldOf(secret, field);
  if (!found) {
    ctx.err(`Field "${field}" not present in secret`);
    return EXIT_LOCAL;
  }
  printField(ctx, value);
  return 0;
}
