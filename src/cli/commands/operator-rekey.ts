import type { RekeyStatus, RekeyUpdateResponse } from '../../client/index.ts';
import { type Context, defineCommand } from '../command.ts';
import { EXIT_LOCAL } from '../exit-code.ts';
import type { FlagSpecs } from '../flags.ts';
import { promptSecret } from '../io.ts';
import { keyValueTable } from '../output.ts';

type Ctx = Context<FlagSpecs>;

function statusRows(s: Partial<RekeyStatus>): [string, unknown][] {
  const rows: [string, unknown][] = [
    ['Nonce', s.nonce ?? ''],
    ['Started', s.started ?? false],
    ['Rekey Progress', `${s.progress ?? 0}/${s.required ?? 0}`],
    ['New Shares', s.n ?? 0],
    ['New Threshold', s.t ?? 0],
    ['Verification Required', s.verification_required ?? false],
  ];
  if (s.pgp_fingerprints && s.pgp_fingerprints.length > 0)
    rows.push(['PGP Fingerprints', s.pgp_fingerprints]);
  if (s.backup) rows.push(['Backup', true]);
  return rows;
}

function printStatus(ctx: Ctx, s: Partial<RekeyStatus>): void {
  if (ctx.format === 'json') ctx.json(s);
  else ctx.out(keyValueTable(statusRows(s)));
}

function printNewKeys(ctx: Ctx, res: RekeyUpdateResponse): void {
  if (ctx.format === 'json') {
    ctx.json(res);
    return;
  }
  const keys = res.keys_base64 ?? res.keys ?? [];
  const shares = res.n ?? keys.length;
  const threshold = res.t ?? 0;
  ctx.out(`${keys.map((k, i) => `Key ${i + 1}: ${k}`).join('\n')}

Operation nonce: ${res.nonce}

Coffer unseal keys rekeyed with ${shares} key shares and a key threshold of ${threshold}. Please
securely distribute the key shares printed above. When Coffer is re-sealed, restarted, or
stopped, you must supply at least ${threshold} of these keys to unseal it before it can start
servicing requests.`);
}

export const operatorRekey = defineCommand({
  name: 'operator rekey',
  synopsis: 'Generates new unseal keys',
  usage: 'coffer operator rekey [options] [KEY]',
  description: `Generates a new set of unseal keys. This can optionally change the total number of
key shares or the required threshold of those key shares to reconstruct the root key. This
operation is zero downtime, but it requires the server is unsealed and a quorum of existing
unseal keys are provided.

Initialize a rekey:

  $ coffer operator rekey -init -key-shares=15 -key-threshold=9

Provide an existing unseal key (prompted when KEY is omitted; the nonce is read from the
status when -nonce is omitted):

  $ coffer operator rekey -nonce=abcd KEY

Show the status, or cancel the rekey:

  $ coffer operator rekey -status
  $ coffer operator rekey -cancel`,
  flags: {
    init: {
      type: 'bool',
      usage: 'Initialize the rekeying operation. Only one rekey can be in progress at a time.',
    },
    cancel: {
      type: 'bool',
      usage: 'Reset the rekeying progress. This will discard any submitted unseal keys.',
    },
    status: {
      type: 'bool',
      usage: 'Print the status of the current attempt without providing an unseal key.',
    },
    'key-shares': {
      type: 'int',
      default: 5,
      usage: 'Number of key shares to split the generated root key into.',
    },
    'key-threshold': {
      type: 'int',
      default: 3,
      usage:
        'Number of key shares required to reconstruct the root key. This must be less than or equal to -key-shares.',
    },
    nonce: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Nonce value provided at initialization. The same nonce value must be provided with each unseal key.',
    },
  },
  args: { max: 1 },
  async run(ctx) {
    const modes = [ctx.flags.init, ctx.flags.cancel, ctx.flags.status].filter(Boolean).length;
    if (modes > 1) return ctx.usageError('Only one of -init, -cancel or -status may be given');
    if (modes === 1 && ctx.args.length > 0) return ctx.usageError('Too many arguments (expected 0, got 1)');
    const sys = (await ctx.client()).sys;

    if (ctx.flags.init) {
      try {
        const s = await sys.rekeyInit({
          secret_shares: ctx.flags['key-shares'] ?? 5,
          secret_threshold: ctx.flags['key-threshold'] ?? 3,
        });
        printStatus(ctx, s);
        return 0;
      } catch (error) {
        return ctx.fail('Error initializing rekey', error);
      }
    }
    if (ctx.flags.cancel) {
      try {
        await sys.rekeyCancel();
      } catch (error) {
        return ctx.fail('Error canceling rekey', error);
      }
      ctx.out('Success! Canceled rekeying (if it was started)');
      return 0;
    }
    if (ctx.flags.status) {
      try {
        printStatus(ctx, await sys.rekeyStatus());
        return 0;
      } catch (error) {
        return ctx.fail('Error reading rekey status', error);
      }
    }

    let nonce = ctx.flags.nonce;
    if (nonce === undefined || nonce === '') {
      try {
        const s = await sys.rekeyStatus();
        if (!s.started) {
          ctx.err('No rekey is in progress. Start a rekey process by running "coffer operator rekey -init".');
          return EXIT_LOCAL;
        }
        nonce = s.nonce;
      } catch (error) {
        return ctx.fail('Error reading rekey status', error);
      }
    }
    let key = ctx.args[0];
    if (key === undefined) {
      try {
        key = await promptSecret(ctx.io, 'Unseal Key (will be hidden): ');
      } catch (error) {
        return ctx.fail('Error reading unseal key', error);
      }
    }
    key = key.trim();
    if (key === '') return ctx.usageError('Missing unseal key');
    let res: RekeyUpdateResponse;
    try {
      res = await sys.rekeyUpdate(key, nonce);
    } catch (error) {
      return ctx.fail('Error posting unseal key', error);
    }
    if (res.complete) printNewKeys(ctx, res);
    else printStatus(ctx, res);
    return 0;
  },
});
