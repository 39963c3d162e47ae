/**
 * The built-in policy texts. `default` is written to storage on first load (an operator may edit
 * it afterwards, but not delete it); `response-wrapping` is immutable and never stored: response
 * wrapping tokens carry it.
 */
export const DEFAULT_POLICY_TEXT = `# Attached to every token unless it is created with no_default_policy.

# A token may look itself up, renew and revoke itself.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}

# A token may ask what it can do on a path.
path "sys/capabilities-self" {
  capabilities = ["update"]
}

# A token may read its own entity.
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}

# The UI shows what the token may do (internal endpoint; its shape may change).
path "sys/internal/ui/resultant-acl" {
  capabilities = ["read"]
}

# Renew a lease given its id in the body (old and new path).
path "sys/renew" {
  capabilities = ["update"]
}
path "sys/leases/renew" {
  capabilities = ["update"]
}

# Look up a lease by id (the id must be known; nothing is listed).
path "sys/leases/lookup" {
  capabilities = ["update"]
}

# The token's own cubbyhole.
path "cubbyhole/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Response wrapping: wrap a value, look up and unwrap a wrapping token.
path "sys/wrapping/wrap" {
  capabilities = ["update"]
}
path "sys/wrapping/lookup" {
  capabilities = ["update"]
}
path "sys/wrapping/unwrap" {
  capabilities = ["update"]
}

# General-purpose tools.
path "sys/tools/hash" {
  capabilities = ["update"]
}
path "sys/tools/hash/*" {
  capabilities = ["update"]
}

# Check the status of a control group request, given its accessor.
path "sys/control-group/request" {
  capabilities = ["update"]
}

# The authorization endpoint of OIDC providers.
path "identity/oidc/provider/+/authorize" {
  capabilities = ["read", "update"]
}
`;

export const RESPONSE_WRAPPING_POLICY_TEXT = `# Carried by response-wrapping tokens.
path "cubbyhole/response" {
  capabilities = ["create", "read"]
}
path "sys/wrapping/unwrap" {
  capabilities = ["update"]
}
`;
