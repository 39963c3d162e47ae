/** Response shapes of Vault's HTTP API, as Coffer serves them. */

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
  wrapped_accessor?: string;
}

export interface SecretAuth {
  identity_policies?: string[] | null;
  client_token: string;
  accessor: string;
  policies: string[] | null;
  token_policies?: string[] | null;
  metadata?: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id?: string;
  token_type?: string;
  orphan?: boolean;
}

/** The envelope every logical path answers with. */
export interface Secret<T = Record<string, unknown>> {
  request_id?: string;
  lease_id: string;
  lease_duration: number;
  renewable: boolean;
  data: T | null;
  warnings: string[] | null;
  wrap_info: WrapInfo | null;
  auth: SecretAuth | null;
  mount_type?: string;
}

export interface SealStatus {
  type: string;
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  nonce: string;
  version: string;
  build_date?: string;
  migration?: boolean;
  cluster_name?: string;
  cluster_id?: string;
  recovery_seal?: boolean;
  storage_type?: string;
}

export interface HealthStatus {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  performance_standby?: boolean;
  replication_performance_mode?: string;
  replication_dr_mode?: string;
  server_time_utc: number;
  version: string;
  cluster_name?: string;
  cluster_id?: string;
}

export interface InitRequest {
  secret_shares: number;
  secret_threshold: number;
  pgp_keys?: string[];
  root_token_pgp_key?: string;
  recovery_shares?: number;
  recovery_threshold?: number;
}

export interface InitResponse {
  keys: string[];
  keys_base64: string[];
  root_token: string;
  recovery_keys?: string[];
  recovery_keys_base64?: string[];
}

export interface KeyStatus {
  term: number;
  install_time: string;
  encryptions?: number;
}

export interface RekeyInitRequest {
  secret_shares: number;
  secret_threshold: number;
  pgp_keys?: string[];
  backup?: boolean;
  require_verification?: boolean;
}

export interface RekeyStatus {
  nonce: string;
  started: boolean;
  t: number;
  n: number;
  progress: number;
  required: number;
  pgp_fingerprints: string[] | null;
  backup: boolean;
  verification_required: boolean;
  verification_nonce?: string;
}

export interface RekeyUpdateResponse extends Partial<RekeyStatus> {
  nonce: string;
  complete: boolean;
  keys?: string[];
  keys_base64?: string[];
}

export interface MountConfig {
  default_lease_ttl?: number;
  max_lease_ttl?: number;
  force_no_cache?: boolean;
  audit_non_hmac_request_keys?: string[];
  audit_non_hmac_response_keys?: string[];
  listing_visibility?: string;
  passthrough_request_headers?: string[];
  allowed_response_headers?: string[];
  token_type?: string;
}

export interface MountOutput {
  type: string;
  description: string;
  accessor: string;
  uuid?: string;
  config: MountConfig;
  options: Record<string, string> | null;
  local: boolean;
  seal_wrap: boolean;
  external_entropy_access: boolean;
  plugin_version?: string;
  running_plugin_version?: string;
  deprecation_status?: string;
}

export interface EnableMountInput {
  type: string;
  description?: string;
  config?: Record<string, unknown>;
  options?: Record<string, string>;
  local?: boolean;
  seal_wrap?: boolean;
  external_entropy_access?: boolean;
  plugin_version?: string;
}

/** Writable tune parameters: TTLs may be duration strings ("1h") or seconds. */
export interface TuneMountInput {
  default_lease_ttl?: string | number;
  max_lease_ttl?: string | number;
  description?: string;
  options?: Record<string, string>;
  listing_visibility?: string;
  audit_non_hmac_request_keys?: string[];
  audit_non_hmac_response_keys?: string[];
  passthrough_request_headers?: string[];
  allowed_response_headers?: string[];
  token_type?: string;
  plugin_version?: string;
}

export interface TuneOutput {
  default_lease_ttl: number;
  max_lease_ttl: number;
  force_no_cache: boolean;
  description?: string;
  options?: Record<string, string> | null;
  [key: string]: unknown;
}

/** `GET sys/internal/ui/mounts/<path>`: the mount a path lives in. */
export interface MountInfo {
  path: string;
  type: string;
  description?: string;
  accessor?: string;
  options: Record<string, string> | null;
  config?: Record<string, unknown>;
  local?: boolean;
  seal_wrap?: boolean;
  uuid?: string;
}

/** Where a full KV path lives: the mount, its engine version and the rest of the path. */
export interface KvLocation {
  /** Mount path with a trailing slash ("secret/"); "" when the server did not say. */
  mount: string;
  version: 1 | 2;
  /** The path inside the mount, without leading slash. */
  path: string;
}

export interface KvVersionMetadata {
  created_time: string;
  custom_metadata: Record<string, string> | null;
  deletion_time: string;
  destroyed: boolean;
  version: number;
}

export interface KvSecretData<T = Record<string, unknown>> {
  data: T | null;
  metadata: KvVersionMetadata | null;
}

export interface KvMetadata {
  cas_required: boolean;
  created_time: string;
  current_version: number;
  custom_metadata: Record<string, string> | null;
  delete_version_after: string;
  max_versions: number;
  oldest_version: number;
  updated_time: string;
  versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>;
}

export interface KvMetadataInput {
  max_versions?: number;
  cas_required?: boolean;
  delete_version_after?: string;
  custom_metadata?: Record<string, string>;
}

/** `auth/token/create*`: what a new token gets. TTLs are duration strings ("1h") or seconds. */
export interface TokenCreateRequest {
  id?: string;
  policies?: string[];
  meta?: Record<string, string>;
  no_parent?: boolean;
  no_default_policy?: boolean;
  renewable?: boolean;
  ttl?: string | number;
  type?: 'service' | 'batch' | 'default' | string;
  explicit_max_ttl?: string | number;
  display_name?: string;
  num_uses?: number;
  period?: string | number;
  entity_alias?: string;
}

/** The `data` of `auth/token/lookup*`. */
export interface TokenLookupData {
  accessor: string;
  creation_time: number;
  creation_ttl: number;
  display_name: string;
  entity_id: string;
  expire_time: string | null;
  explicit_max_ttl: number;
  id: string;
  identity_policies?: string[];
  issue_time?: string;
  meta: Record<string, string> | null;
  num_uses: number;
  orphan: boolean;
  path: string;
  period?: number;
  policies: string[];
  renewable: boolean;
  ttl: number;
  type: string;
  [key: string]: unknown;
}

/** `GET sys/policies/acl/:name`. */
export interface AclPolicy {
  name: string;
  policy: string;
}

/** `POST sys/auth/:path`. */
export interface EnableAuthInput {
  type: string;
  description?: string;
  config?: Record<string, unknown>;
  options?: Record<string, string>;
  local?: boolean;
  seal_wrap?: boolean;
  external_entropy_access?: boolean;
  plugin_version?: string;
}

/** One entry of `GET sys/auth` (the same shape as a secrets engine mount). */
export type AuthMountOutput = MountOutput;

/** One entry of `GET sys/audit`. */
export interface AuditDevice {
  type: string;
  description: string;
  options: Record<string, string> | null;
  local: boolean;
  path: string;
}

/** `POST sys/audit/:path`. */
export interface EnableAuditInput {
  type: string;
  description?: string;
  options?: Record<string, string>;
  local?: boolean;
}

/** `sys/wrapping/lookup`. */
export interface WrapLookup {
  creation_path: string;
  creation_time: string;
  creation_ttl: number;
}
