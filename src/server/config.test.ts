import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CONFIG_KEYS,
  ConfigError,
  DEFAULT_LEASE_TTL,
  loadConfig,
  parseConfig,
  type ServerConfig,
} from './config.ts';

const hcl = (text: string) => parseConfig(text, 'hcl', 'coffer.hcl');
const json = (value: unknown) => parseConfig(JSON.stringify(value, null, 2), 'json', 'coffer.json');
const MINIMAL = 'storage "inmem" {}\nlistener "tcp" { tls_disable = true }\n';

describe('parseConfig (HCL)', () => {
  it('fills in the defaults', () => {
    const { config, warnings } = hcl(MINIMAL);
    assert.deepEqual(config, {
      storage: { type: 'inmem', config: {} },
      listeners: [{ type: 'tcp', address: '127.0.0.1:8200', tlsDisable: true }],
      ui: false,
      defaultLeaseTTL: DEFAULT_LEASE_TTL,
      maxLeaseTTL: 768 * 3600,
      logLevel: 'info',
      disableMlock: false,
      disableCache: false,
    } satisfies ServerConfig);
    assert.deepEqual(warnings, []);
  });

  it('reads a full config', () => {
    const { config, warnings } = hcl(`
      storage "sqlite" {
        path = "data/coffer.db"   # relative: kept as written
      }
      listener "tcp" {
        address          = "0.0.0.0:8200"
        tls_cert_file    = "/etc/coffer/tls.crt"
        tls_key_file     = "/etc/coffer/tls.key"
        max_request_size = 1048576
      }
      listener "tcp" {
        address     = "127.0.0.1:8210"
        tls_disable = "true"
      }
      api_addr          = "https://coffer.example.com:8200"
      cluster_addr      = "https://10.0.0.5:8201"
      ui                = true
      default_lease_ttl = "1h"
      max_lease_ttl     = "720h"
      log_level         = "Warning"
      disable_mlock     = true
      disable_cache     = true
      cache_size        = 5000
      plugin_directory  = "/opt/plugins"
    `);
    assert.deepEqual(config, {
      storage: { type: 'sqlite', config: { path: 'data/coffer.db' } },
      listeners: [
        {
          type: 'tcp',
          address: '0.0.0.0:8200',
          tlsDisable: false,
          tlsCertFile: '/etc/coffer/tls.crt',
          tlsKeyFile: '/etc/coffer/tls.key',
          maxRequestSize: 1048576,
        },
        { type: 'tcp', address: '127.0.0.1:8210', tlsDisable: true },
      ],
      apiAddr: 'https://coffer.example.com:8200',
      clusterAddr: 'https://10.0.0.5:8201',
      ui: true,
      defaultLeaseTTL: 3600,
      maxLeaseTTL: 720 * 3600,
      logLevel: 'warn',
      disableMlock: true,
      disableCache: true,
      cacheSize: 5000,
      pluginDirectory: '/opt/plugins',
    } satisfies ServerConfig);
    assert.deepEqual(warnings, [
      'config key "cluster_addr" is accepted for Vault compatibility and has no effect: Coffer has no cluster port',
      'config key "disable_mlock" is accepted for Vault compatibility and has no effect',
      'config key "plugin_directory" is accepted for Vault compatibility and has no effect: Coffer does not load external plugins',
    ]);
  });

  it('accepts the legacy "backend" block and bare labels', () => {
    const { config } = hcl('backend sqlite { path = "/d/c.db" }\nlistener tcp { tls_disable = 1 }');
    assert.deepEqual(config.storage, { type: 'sqlite', config: { path: '/d/c.db' } });
  });

  it('passes the storage block through untouched', () => {
    const { config } = hcl(
      'storage "sqlite" {\n path = "x"\n max_parallel = "128"\n nested { a = [1] }\n}\nlistener "tcp" { tls_disable = true }',
    );
    assert.deepEqual(config.storage.config, { path: 'x', max_parallel: '128', nested: { a: [1] } });
  });

  const booleans: Array<[string, boolean]> = [
    ['true', true],
    ['false', false],
    ['"true"', true],
    ['"FALSE"', false],
    ['"1"', true],
    ['"0"', false],
    ['1', true],
    ['0', false],
  ];
  for (const [text, want] of booleans) {
    it(`reads tls_disable = ${text} and ui = ${text}`, () => {
      const src = `storage "inmem" {}\nlistener "tcp" {\n  tls_disable = ${text}\n  tls_cert_file = "c"\n  tls_key_file = "k"\n}\nui = ${text}`;
      const { config } = hcl(src);
      assert.equal(config.listeners[0]?.tlsDisable, want);
      assert.equal(config.ui, want);
    });
  }

  const durations: Array<[string, number]> = [
    ['"768h"', 768 * 3600],
    ['"30m"', 1800],
    ['"10s"', 10],
    ['"1h30m"', 5400],
    ['3600', 3600],
    ['"3600"', 3600],
    ['0', DEFAULT_LEASE_TTL],
  ];
  for (const [text, want] of durations) {
    it(`reads default_lease_ttl = ${text}`, () => {
      assert.equal(hcl(`${MINIMAL}default_lease_ttl = ${text}`).config.defaultLeaseTTL, want);
    });
  }

  const levels: Array<[string, string]> = [
    ['trace', 'debug'],
    ['debug', 'debug'],
    ['INFO', 'info'],
    ['warn', 'warn'],
    ['warning', 'warn'],
    ['err', 'error'],
    ['error', 'error'],
  ];
  for (const [text, want] of levels) {
    it(`reads log_level = "${text}"`, () =>
      assert.equal(hcl(`${MINIMAL}log_level = "${text}"`).config.logLevel, want));
  }

  it('accepts addresses of every form', () => {
    for (const address of [
      '127.0.0.1:8200',
      '0.0.0.0:0',
      '[::1]:8200',
      '[::]:443',
      'localhost:8200',
      ':8200',
    ]) {
      const { config } = hcl(
        `storage "inmem" {}\nlistener "tcp" {\n address = "${address}"\n tls_disable = true\n}`,
      );
      assert.equal(config.listeners[0]?.address, address);
    }
  });

  it('warns about Vault-only keys, unknown keys and seals, in source order', () => {
    const { warnings } = hcl(`
      cluster_name = "prod"
      ${MINIMAL}
      telemetry { prometheus_retention_time = "30s" }
      seal "awskms" { region = "us-east-1" }
      seal "shamir" {}
      pid_file = "/run/vault.pid"
      listner "tcp" {}
      foo = 1
      listener "tcp" {
        address = "127.0.0.1:8300"
        tls_disable = true
        tls_min_version = "tls13"
        bar = 2
        x_forwarded_for_authorized_addrs = ["10.0.0.0/8"]
      }
    `);
    assert.deepEqual(warnings, [
      'listener "tcp": key "tls_min_version" is accepted for Vault compatibility and has no effect',
      'listener "tcp": unknown key "bar" ignored',
      'listener "tcp": key "x_forwarded_for_authorized_addrs" is accepted for Vault compatibility and has no effect',
      'config key "cluster_name" is accepted for Vault compatibility and has no effect',
      'config key "telemetry" is accepted for Vault compatibility and has no effect: Coffer does not export metrics yet',
      'seal "awskms" is ignored: auto-unseal is not supported yet, so Coffer uses Shamir unseal keys (operator unseal)',
      'config key "pid_file" is accepted for Vault compatibility and has no effect',
      'unknown config key "listner" ignored (did you mean "listener"?)',
      'unknown config key "foo" ignored',
    ]);
  });

  it('does not point telemetry or ha_storage at features this release lacks', () => {
    const { warnings } = hcl(`${MINIMAL}telemetry {}\nha_storage "consul" {}`);
    assert.deepEqual(warnings, [
      'config key "telemetry" is accepted for Vault compatibility and has no effect: Coffer does not export metrics yet',
      'config key "ha_storage" is accepted for Vault compatibility and has no effect: Coffer runs as a single active node (no high availability yet)',
    ]);
  });

  it('suggests the key a typo was meant to be', () => {
    const { warnings } = hcl(`${MINIMAL}defualt_lease_ttl = "1h"`);
    assert.deepEqual(warnings, [
      'unknown config key "defualt_lease_ttl" ignored (did you mean "default_lease_ttl"?)',
    ]);
  });
});

describe('parseConfig (JSON)', () => {
  it('reads Vault JSON with a list of listeners', () => {
    const { config, warnings } = json({
      storage: { sqlite: { path: '/var/lib/coffer/coffer.db' } },
      listener: [
        { tcp: { address: '127.0.0.1:8200', tls_disable: 'true' } },
        { tcp: { address: ':8300', tls_disable: 1 } },
      ],
      ui: true,
      default_lease_ttl: '10m',
      max_lease_ttl: 86400,
      disable_mlock: true,
    });
    assert.deepEqual(config.storage, { type: 'sqlite', config: { path: '/var/lib/coffer/coffer.db' } });
    assert.deepEqual(
      config.listeners.map((l) => l.address),
      ['127.0.0.1:8200', ':8300'],
    );
    assert.equal(config.ui, true);
    assert.equal(config.defaultLeaseTTL, 600);
    assert.equal(config.maxLeaseTTL, 86400);
    assert.deepEqual(warnings, [
      'config key "disable_mlock" is accepted for Vault compatibility and has no effect',
    ]);
  });

  it('reads a single listener object, and several listeners under one type', () => {
    const one = json({ storage: { inmem: {} }, listener: { tcp: { tls_disable: true } } }).config;
    assert.equal(one.listeners.length, 1);
    const two = json({
      backend: { inmem: {} },
      listener: {
        tcp: [
          { address: ':1', tls_disable: true },
          { address: ':2', tls_disable: true },
        ],
      },
    }).config;
    assert.deepEqual(
      two.listeners.map((l) => l.address),
      [':1', ':2'],
    );
  });

  it('names the line and column of a type error', () => {
    const text = '{\n  "storage": {"inmem": {}},\n  "listener": {"tcp": {\n    "tls_disable": "x"\n  }}\n}';
    assert.throws(
      () => parseConfig(text, 'json', 'c.json'),
      new ConfigError(
        'c.json',
        'listener "tcp": "tls_disable" must be a boolean (true or false), not a string',
        { line: 4, column: 20 },
      ),
    );
  });

  it('reports JSON syntax errors with line and column', () => {
    assert.throws(
      () => parseConfig('{\n  "ui": true,\n}', 'json', 'c.json'),
      /^ConfigError: c\.json: line 3, column 1: expected a key \(JSON allows no trailing comma\), found '}'$/,
    );
    assert.throws(
      () => parseConfig('[]', 'json', 'c.json'),
      /c\.json: line 1, column 1: a JSON config must be an object/,
    );
  });
});

describe('parseConfig errors', () => {
  const errors: Array<[name: string, text: string, message: string]> = [
    [
      'syntax error',
      'storage "inmem" {}\nui true',
      `coffer.hcl: line 2, column 3: expected '=' after key "ui"`,
    ],
    [
      'no storage',
      'listener "tcp" { tls_disable = true }',
      'coffer.hcl: no storage configured: add one, as in storage "sqlite" { path = "/var/lib/coffer/coffer.db" }',
    ],
    [
      'two storages',
      `${MINIMAL}storage "sqlite" { path = "x" }`,
      'coffer.hcl: line 3, column 1: only one storage block is allowed ("backend" is the legacy name of "storage")',
    ],
    [
      'storage and backend',
      `${MINIMAL}backend "inmem" {}`,
      'coffer.hcl: line 3, column 1: only one storage block is allowed ("backend" is the legacy name of "storage")',
    ],
    [
      'unsupported storage',
      'storage "raft" { path = "/x" }\nlistener "tcp" { tls_disable = true }',
      'coffer.hcl: line 1, column 1: storage type "raft" is not supported; supported: "inmem", "sqlite"',
    ],
    [
      'storage without a label',
      'storage { path = "x" }',
      'coffer.hcl: line 1, column 1: block "storage" needs exactly one label, as in storage "sqlite" { path = "/var/lib/coffer/coffer.db" }',
    ],
    [
      'storage as a string',
      'storage = "sqlite"',
      'coffer.hcl: line 1, column 11: "storage" must be a block (an object), as in storage "sqlite" { path = "/var/lib/coffer/coffer.db" }',
    ],
    [
      'no listener',
      'storage "inmem" {}',
      'coffer.hcl: no listener configured: add one, as in listener "tcp" { address = "127.0.0.1:8200" }',
    ],
    [
      'unix listener',
      'storage "inmem" {}\nlistener "unix" { address = "/run/c.sock" }',
      'coffer.hcl: line 2, column 1: listener type "unix" is not supported; only "tcp" is',
    ],
    [
      'TLS without files',
      'storage "inmem" {}\nlistener "tcp" {\n  address = "0.0.0.0:8200"\n}',
      'coffer.hcl: line 2, column 1: listener "tcp": TLS is enabled on 0.0.0.0:8200 but "tls_cert_file" and "tls_key_file" are not set; set tls_cert_file and tls_key_file, or tls_disable = true',
    ],
    [
      'TLS without key',
      'storage "inmem" {}\nlistener "tcp" {\n  tls_cert_file = "c"\n}',
      'coffer.hcl: line 2, column 1: listener "tcp": TLS is enabled on 127.0.0.1:8200 but "tls_key_file" is not set; set tls_cert_file and tls_key_file, or tls_disable = true',
    ],
    [
      'tls_disable = "x"',
      'storage "inmem" {}\nlistener "tcp" {\n  tls_disable = "x"\n}',
      'coffer.hcl: line 3, column 17: listener "tcp": "tls_disable" must be a boolean (true or false), not a string',
    ],
    [
      'tls_disable = 2',
      'storage "inmem" {}\nlistener "tcp" {\n  tls_disable = 2\n}',
      'coffer.hcl: line 3, column 17: listener "tcp": "tls_disable" must be a boolean (true or false), not a number',
    ],
    [
      'ui = "maybe"',
      `${MINIMAL}ui = "maybe"`,
      'coffer.hcl: line 3, column 6: "ui" must be a boolean (true or false), not a string',
    ],
    ['ui as a block', `${MINIMAL}ui {}`, 'coffer.hcl: line 3, column 1: "ui" must be a boolean, not a block'],
    [
      'ui twice',
      `ui = true\n${MINIMAL}ui = false`,
      'coffer.hcl: line 4, column 1: "ui" is set twice (first at line 1, column 1)',
    ],
    [
      'address twice',
      'storage "inmem" {}\nlistener "tcp" {\n address = ":1"\n address = ":2"\n}',
      'coffer.hcl: line 4, column 2: listener "tcp": "address" is set twice (first at line 3, column 2)',
    ],
    [
      'address not a string',
      'storage "inmem" {}\nlistener "tcp" { address = 8200 }',
      'coffer.hcl: line 2, column 28: listener "tcp": "address" must be a string, not a number',
    ],
    [
      'address without port',
      'storage "inmem" {}\nlistener "tcp" { address = "127.0.0.1" }',
      'coffer.hcl: line 2, column 28: listener "tcp": "address" must be host:port, as in "127.0.0.1:8200" or "[::1]:8200"',
    ],
    [
      'port out of range',
      'storage "inmem" {}\nlistener "tcp" { address = ":70000" }',
      'coffer.hcl: line 2, column 28: listener "tcp": "address" must be host:port, as in "127.0.0.1:8200" or "[::1]:8200"',
    ],
    [
      'negative max_request_size',
      'storage "inmem" {}\nlistener "tcp" {\n tls_disable = true\n max_request_size = -1\n}',
      'coffer.hcl: line 4, column 21: listener "tcp": "max_request_size" must be a whole number ≥ 0',
    ],
    [
      'fractional max_request_size',
      'storage "inmem" {}\nlistener "tcp" {\n tls_disable = true\n max_request_size = 1.5\n}',
      'coffer.hcl: line 4, column 21: listener "tcp": "max_request_size" must be a whole number ≥ 0',
    ],
    [
      'mutual TLS',
      'storage "inmem" {}\nlistener "tcp" {\n tls_disable = true\n tls_require_and_verify_client_cert = true\n}',
      'coffer.hcl: line 4, column 2: listener "tcp": "tls_require_and_verify_client_cert" is not supported yet',
    ],
    [
      'bad duration',
      `${MINIMAL}max_lease_ttl = "forever"`,
      'coffer.hcl: line 3, column 17: "max_lease_ttl" must be a duration such as "768h", "30m", "10s" or a number of seconds',
    ],
    [
      'negative duration',
      `${MINIMAL}max_lease_ttl = "-1h"`,
      'coffer.hcl: line 3, column 17: "max_lease_ttl" must be a duration such as "768h", "30m", "10s" or a number of seconds',
    ],
    [
      'duration as a list',
      `${MINIMAL}max_lease_ttl = ["1h"]`,
      'coffer.hcl: line 3, column 17: "max_lease_ttl" must be a duration such as "768h", "30m", "10s" or a number of seconds',
    ],
    [
      'default above max',
      `${MINIMAL}default_lease_ttl = "2h"\nmax_lease_ttl = "1h"`,
      'coffer.hcl: line 3, column 1: "default_lease_ttl" (2h0m0s) must not be longer than "max_lease_ttl" (1h0m0s)',
    ],
    [
      'default above the default max',
      `${MINIMAL}default_lease_ttl = "1000h"`,
      'coffer.hcl: line 3, column 1: "default_lease_ttl" (1000h0m0s) must not be longer than "max_lease_ttl" (768h0m0s)',
    ],
    [
      'unknown log level',
      `${MINIMAL}log_level = "loud"`,
      'coffer.hcl: line 3, column 13: "log_level" must be one of "trace", "debug", "info", "warn", "error"',
    ],
    [
      'api_addr not a string',
      `${MINIMAL}api_addr = true`,
      'coffer.hcl: line 3, column 12: "api_addr" must be a string, not a boolean',
    ],
  ];
  for (const [name, text, message] of errors) {
    it(`refuses: ${name}`, () => {
      assert.throws(
        () => hcl(text),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.message, message);
          assert.equal(err.source, 'coffer.hcl');
          const m = /^coffer\.hcl: line (\d+), column (\d+):/.exec(message);
          assert.deepEqual([err.line, err.column], m ? [Number(m[1]), Number(m[2])] : [undefined, undefined]);
          return true;
        },
      );
    });
  }
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads HCL, and JSON by extension, and hands warnings over', () => {
    writeFileSync(join(dir, 'coffer.hcl'), `${MINIMAL}disable_mlock = true\n`);
    writeFileSync(
      join(dir, 'coffer.JSON'),
      JSON.stringify({ storage: { inmem: {} }, listener: { tcp: { tls_disable: true } } }),
    );
    const warnings: string[] = [];
    assert.equal(loadConfig(join(dir, 'coffer.hcl'), (w) => warnings.push(w)).storage.type, 'inmem');
    assert.deepEqual(warnings, [
      'config key "disable_mlock" is accepted for Vault compatibility and has no effect',
    ]);
    assert.equal(loadConfig(join(dir, 'coffer.JSON'), () => {}).listeners.length, 1);
  });

  it('names the file in errors', () => {
    const path = join(dir, 'bad.hcl');
    writeFileSync(path, 'storage "inmem" {\n  path = \n}\n');
    assert.throws(() => loadConfig(path), {
      name: 'ConfigError',
      message: `${path}: line 3, column 1: expected a value, found '}'`,
    });
    const json = join(dir, 'bad.json');
    writeFileSync(json, '{"ui": tru}');
    assert.throws(() => loadConfig(json), {
      message: `${json}: line 1, column 8: expected a JSON value, found 't'`,
    });
  });

  it('names the file when it cannot be read', () => {
    const path = join(dir, 'missing.hcl');
    assert.throws(() => loadConfig(path), {
      name: 'ConfigError',
      message: `${path}: cannot read the config file (ENOENT)`,
    });
  });
});

it('docs/configuration.md documents every key', () => {
  const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const missing = [...CONFIG_KEYS.server, ...CONFIG_KEYS.listener].filter((k) => !docs.includes(`\`${k}`));
  assert.deepEqual(missing, []);
});
