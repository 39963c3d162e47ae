import { defineCommand } from '../command.ts';
import { EXIT_LOCAL, EXIT_OK } from '../exit-code.ts';

/** `-status` has its own codes, as Vault documents them: 2 means not initialized, so an error is 1. */
const NOT_INITIALIZED = 2;

export const operatorInit = defineCommand({
  name: 'operator init',
  synopsis: 'Initializes a server',
  usage: 'coffer operator init [options]',
  description: `Initializes a Coffer server. Initialization is the process by which Coffer's storage
backend is prepared to receive data. It generates the root key, splits it into unseal key
shares, and returns them with the initial root token. This happens once per server.

Coffer does not store the unseal keys or the root token: keep them safe.

Start initialization with the default options:

  $ coffer operator init

Initialize, but split the root key into 3 shares, 2 of them needed to unseal:

  $ coffer operator init -key-shares=3 -key-threshold=2`,
  flags: {
    'key-shares': {
      type: 'int',
      default: 5,
      usage:
        'Number of key shares to split the generated root key into. This is the number of "unseal keys" to generate.',
    },
    'key-threshold': {
      type: 'int',
      default: 3,
      usage:
        'Number of key shares required to reconstruct the root key. This must be less than or equal to -key-shares.',
    },
    status: {
      type: 'bool',
      usage:
        'Print the current initialization status. An exit code of 0 means Coffer is initialized, 2 means it is not, 1 means an error.',
    },
  },
  args: { max: 0 },
  async run(ctx) {
    const client = await ctx.client();
    if (ctx.flags.status) {
      try {
        const { initialized } = await client.sys.initStatus();
        ctx.out(initialized ? 'Coffer is initialized' : 'Coffer is not initialized');
        return initialized ? EXIT_OK : NOT_INITIALIZED;
      } catch (error) {
        ctx.fail('Error checking init status', error);
        return EXIT_LOCAL;
      }
    }
    const shares = ctx.flags['key-shares'] ?? 5;
    const threshold = ctx.flags['key-threshold'] ?? 3;
    let res: Awaited<ReturnType<typeof client.sys.init>>;
    try {
      res = await client.sys.init({ secret_shares: shares, secret_threshold: threshold });
    } catch (error) {
      return ctx.fail('Error initializing', error);
    }
    if (ctx.format === 'json') {
      ctx.json({
        unseal_keys_b64: res.keys_base64,
        unseal_keys_hex: res.keys,
        unseal_shares: shares,
        unseal_threshold: threshold,
        recovery_keys_b64: res.recovery_keys_base64 ?? [],
        recovery_keys_hex: res.recovery_keys ?? [],
        recovery_keys_shares: 0,
        recovery_keys_threshold: 0,
        root_token: res.root_token,
      });
      return 0;
    }
    const lines = res.keys_base64.map((k, i) => `Unseal Key ${i + 1}: ${k}`);
    ctx.out(`${lines.join('\n')}

Initial Root Token: ${res.root_token}

Coffer initialized with ${shares} key shares and a key threshold of ${threshold}. Please securely
distribute the key shares printed above. When Coffer is re-sealed, restarted, or stopped, you
must supply at least ${threshold} of these keys to unseal it before it can start servicing
requests.

Coffer does not store the generated root key. Without at least ${threshold} keys to reconstruct
the root key, Coffer will remain permanently sealed!

It is possible to generate new unseal keys, provided you have a quorum of existing unseal keys
shares. See "coffer operator rekey" for more information.`);
    return 0;
  },
});
