import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseHCL, toJSONLike } from './index.ts';

// Written in the style of the configs and policies people run Vault with.
const serverConfig = `
# Production-ish Vault server config
ui            = true
cluster_addr  = "https://10.0.0.5:8201"
api_addr      = "https://vault.example.com:8200"
disable_mlock = true
default_lease_ttl = "768h"
max_lease_ttl     = "8760h"
log_level = "Info"

storage "raft" {
  path    = "/opt/vault/data"
  node_id = "node-1"

  retry_join {
    leader_api_addr = "https://10.0.0.6:8200"
  }
  retry_join {
    leader_api_addr = "https://10.0.0.7:8200"
  }
}

listener "tcp" {
  address       = "0.0.0.0:8200"
  tls_cert_file = "/opt/vault/tls/tls.crt"
  tls_key_file  = "/opt/vault/tls/tls.key"
  tls_cipher_suites = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
  x_forwarded_for_authorized_addrs = ["10.0.0.0/8", "172.16.0.0/12"]

  telemetry {
    unauthenticated_metrics_access = true
  }
}

listener "tcp" {
  address     = "127.0.0.1:8210"
  tls_disable = 1
}

seal "awskms" {
  region     = "us-east-1"
  kms_key_id = "alias/vault"
}

telemetry {
  prometheus_retention_time = "30s"
  disable_hostname          = true
}
`;

it('parses a real Vault server config', () => {
  assert.deepEqual(toJSONLike(parseHCL(serverConfig)), {
    ui: true,
    cluster_addr: 'https://10.0.0.5:8201',
    api_addr: 'https://vault.example.com:8200',
    disable_mlock: true,
    default_lease_ttl: '768h',
    max_lease_ttl: '8760h',
    log_level: 'Info',
    storage: {
      raft: {
        path: '/opt/vault/data',
        node_id: 'node-1',
        retry_join: [
          { leader_api_addr: 'https://10.0.0.6:8200' },
          { leader_api_addr: 'https://10.0.0.7:8200' },
        ],
      },
    },
    listener: [
      {
        tcp: {
          address: '0.0.0.0:8200',
          tls_cert_file: '/opt/vault/tls/tls.crt',
          tls_key_file: '/opt/vault/tls/tls.key',
          tls_cipher_suites: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
          x_forwarded_for_authorized_addrs: ['10.0.0.0/8', '172.16.0.0/12'],
          telemetry: { unauthenticated_metrics_access: true },
        },
      },
      { tcp: { address: '127.0.0.1:8210', tls_disable: 1 } },
    ],
    seal: { awskms: { region: 'us-east-1', kms_key_id: 'alias/vault' } },
    telemetry: { prometheus_retention_time: '30s', disable_hostname: true },
  });
});

const policy = `
# Read-only access to the team's secrets, plus constrained writes.
path "secret/data/team-a/*" {
  capabilities = ["read", "list"]
}

path "secret/metadata/team-a/*" {
  capabilities = ["list"]
}

// Per-entity space, via identity templating
path "secret/data/users/{{identity.entity.id}}/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}

path "secret/data/restricted" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "foo" = []
    "bar" = ["zip", "zap"]
  }
  denied_parameters = {
    "*" = []
  }
  required_parameters = ["bar"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = "90s"
}

path "sys/*" {
  capabilities = ["deny"]
}
`;

it('parses a Vault policy with several path blocks, in order', () => {
  const body = parseHCL(policy);
  const paths = body.items.map((item) => (item.kind === 'block' ? [item.name, ...item.labels] : []));
  assert.deepEqual(paths, [
    ['path', 'secret/data/team-a/*'],
    ['path', 'secret/metadata/team-a/*'],
    ['path', 'secret/data/users/{{identity.entity.id}}/*'],
    ['path', 'secret/data/restricted'],
    ['path', 'sys/*'],
  ]);
  assert.deepEqual(toJSONLike(body), {
    path: [
      { 'secret/data/team-a/*': { capabilities: ['read', 'list'] } },
      { 'secret/metadata/team-a/*': { capabilities: ['list'] } },
      {
        'secret/data/users/{{identity.entity.id}}/*': {
          capabilities: ['create', 'read', 'update', 'patch', 'delete', 'list'],
        },
      },
      {
        'secret/data/restricted': {
          capabilities: ['create', 'update'],
          allowed_parameters: { foo: [], bar: ['zip', 'zap'] },
          denied_parameters: { '*': [] },
          required_parameters: ['bar'],
          min_wrapping_ttl: '1s',
          max_wrapping_ttl: '90s',
        },
      },
      { 'sys/*': { capabilities: ['deny'] } },
    ],
  });
});

it('parses a one-line policy and a policy in heredoc-free compact form', () => {
  assert.deepEqual(toJSONLike(parseHCL('path "auth/token/lookup-self" { capabilities = ["read"] }')), {
    path: { 'auth/token/lookup-self': { capabilities: ['read'] } },
  });
});
