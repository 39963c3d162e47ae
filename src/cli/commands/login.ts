import {
  type Coffer,
  CofferResponseError,
  type Secret,
  type SecretAuth,
  type TokenLookupData,
} from '../../client/index.ts';
import { type Context, defineCommand } from '../command.ts';
import { dataSources, parseDataArgs } from '../data-args.ts';
import { EXIT_LOCAL } from '../exit-code.ts';
import type { FlagSpecs } from '../flags.ts';
import { fromEnv } from '../global-flags.ts';
import { promptSecret } from '../io.ts';
import { keyValueTable } from '../output.ts';
import { printField, printFieldOf, printSecret, secretRows } from '../secret-output.ts';
import { writeTokenFile } from '../token-file.ts';

const METHODS = ['token', 'userpass', 'approle'];

export const login = defineCommand({
  name: 'login',
  synopsis: 'Authenticate locally',
  usage: 'coffer login [options] [AUTH K=V...]',
  description: `Authenticates users or machines to Coffer using the provided arguments. A successful
authentication results in a Coffer token - conceptually similar to a session token on a website.
By default, this token is cached on the local machine (~/.coffer-token, or COFFER_TOKEN_FILE)
for future requests.

The default auth method is "token". If not supplied via the CLI, Coffer will prompt for input.
If the argument is "-", the values are read from stdin.

The -method flag allows using other auth methods: "userpass" and "approle".

Authenticate using a token:

  $ coffer login 96ddf4bc-d217-f3ba-f9bd-017055595017

Authenticate using username and password (the password is prompted for when not given):

  $ coffer login -method=userpass username=my-username

Authenticate with AppRole at a custom mount:

  $ coffer login -method=approle -path=machines role_id=… secret_id=…`,
  flags: {
    method: {
      type: 'string',
      placeholder: '<string>',
      default: 'token',
      usage: 'Type of authentication to use: "token", "userpass" or "approle". The default is "token".',
    },
    path: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Remote path in Coffer where the auth method is enabled. This defaults to the TYPE of method (e.g. userpass -> userpass/).',
    },
    'no-store': {
      type: 'bool',
      usage:
        'Do not persist the token to the token file after authentication. Useful to get a token without replacing the current one.',
    },
    'no-print': {
      type: 'bool',
      usage: 'Do not display the token. The token will still be stored to the token file.',
    },
    'token-only': {
      type: 'bool',
      usage:
        'Output only the token with no verification. This flag is a shortcut for "-field=token -format=table". It implies -no-store.',
    },
    field: {
      type: 'string',
      placeholder: '<string>',
      usage:
        'Print only the field with the given name. Specifying this option will take precedence over other formatting directives.',
    },
  },
  async run(ctx) {
    const method = (ctx.flags.method ?? 'token').toLowerCase();
    if (!METHODS.includes(method)) {
      ctx.err(
        `Unknown auth method: ${method}. Use "coffer auth list" to see the complete list of auth methods. The CLI logs in with: ${METHODS.join(', ')}.`,
      );
      return EXIT_LOCAL;
    }
    const mount = ctx.flags.path ?? method;
    const client = await ctx.client();
    const envToken = fromEnv(ctx.io.env, 'COFFER_TOKEN', 'VAULT_TOKEN');

    let secret: Secret<null>;
    try {
      const auth = await authenticate(ctx, client, method, mount);
      if (auth === undefined) return EXIT_LOCAL;
      secret = loginSecret(auth);
    } catch (error) {
      return ctx.fail('Error authenticating', error);
    }
    const token = secret.auth!.client_token;
    if (ctx.flags['token-only']) {
      printField({ ...ctx, format: 'table' }, token);
      return 0;
    }
    if (ctx.flags['no-store']) {
      ctx.err(
        'The token was not stored in the token file. Set the COFFER_TOKEN environment variable or pass the token below with each request to Coffer.\n',
      );
    } else {
      if (envToken !== undefined) {
        ctx.err(
          'WARNING! The COFFER_TOKEN (or VAULT_TOKEN) environment variable is set! The value of this variable will take precedence; if this is unwanted please unset it or update its value accordingly.\n',
        );
      }
      try {
        await writeTokenFile(ctx.io.env, token);
      } catch (error) {
        return ctx.fail('Error storing token', error);
      }
    }
    if (ctx.flags['no-print']) return 0;
    if (ctx.flags.field !== undefined) return printFieldOf(ctx, secret, ctx.flags.field);
    if (ctx.format === 'json') {
      printSecret(ctx, secret);
      return 0;
    }
    const stored = ctx.flags['no-store']
      ? 'Success! You are now authenticated. The token information displayed below is not stored in the token file; use it with each request.'
      : 'Success! You are now authenticated. The token information displayed below is already stored in the token helper. You do NOT need to run "coffer login" again. Future Coffer requests will automatically use this token.';
    ctx.out(`${wrapAt(stored, 75)}\n`);
    ctx.out(keyValueTable(secretRows(secret)));
    return 0;
  },
});

/** The auth block of a successful login; undefined after a usage error was printed. */
async function authenticate(
  ctx: Context<FlagSpecs>,
  client: Coffer,
  method: string,
  mount: string,
): Promise<SecretAuth | undefined> {
  const args = ctx.args;
  if (method === 'token') {
    let token: string | undefined;
    if (args.length === 1 && !args[0]!.includes('=') && args[0] !== '-') token = args[0];
    else {
      const data = await parseDataArgs(args, dataSources(ctx.io.stdin));
      if (data.token !== undefined) token = String(data.token);
    }
    if (token === undefined || token === '')
      token = (await promptSecret(ctx.io, 'Token (will be hidden): ')).trim();
    if (token === '') {
      ctx.usageError('A token must be passed to auth, please view the help for more information.');
      return undefined;
    }
    if (ctx.flags['token-only']) return tokenOnly(token);
    client.token = token;
    return authFromLookup((await client.tokens.lookupSelf()).data);
  }

  const data = await parseDataArgs(args, dataSources(ctx.io.stdin));
  client.token = undefined;
  if (method === 'userpass') {
    const username = data.username;
    if (typeof username !== 'string' || username === '') {
      ctx.usageError("'username' must be specified");
      return undefined;
    }
    let password = typeof data.password === 'string' ? data.password : undefined;
    password ??= await promptSecret(ctx.io, 'Password (will be hidden): ');
    return client.login.userpass(mount, username, password);
  }
  const roleId = data.role_id;
  if (typeof roleId !== 'string' || roleId === '') {
    ctx.usageError("'role_id' must be specified");
    return undefined;
  }
  const secretId = typeof data.secret_id === 'string' ? data.secret_id : undefined;
  return client.login.approle(mount, roleId, secretId);
}

function tokenOnly(token: string): SecretAuth {
  return { client_token: token, accessor: '', policies: null, lease_duration: 0, renewable: false };
}

/** A token login has no auth block: it is built from `lookup-self`, as Vault's CLI does. */
function authFromLookup(data: TokenLookupData | null): SecretAuth {
  if (data === null || typeof data.id !== 'string')
    throw new CofferResponseError('no token information returned');
  const tokenPolicies = data.policies ?? [];
  const identityPolicies = data.identity_policies ?? [];
  const auth: SecretAuth = {
    client_token: data.id,
    accessor: data.accessor,
    policies: [...new Set([...tokenPolicies, ...identityPolicies])],
    token_policies: tokenPolicies,
    identity_policies: identityPolicies,
    metadata: data.meta,
    lease_duration: data.ttl ?? 0,
    renewable: data.renewable ?? false,
    orphan: data.orphan,
    token_type: data.type,
  };
  if (typeof data.entity_id === 'string') auth.entity_id = data.entity_id;
  return auth;
}

function loginSecret(auth: SecretAuth): Secret<null> {
  return {
    request_id: '',
    lease_id: '',
    lease_duration: 0,
    renewable: false,
    data: null,
    warnings: null,
    wrap_info: null,
    auth,
  };
}

/** Words wrapped at `width` columns, as Vault wraps its messages. */
function wrapAt(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
