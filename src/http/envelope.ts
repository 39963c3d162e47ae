import type { Response } from '../sdk/request.ts';

export type { EnvelopeFields } from '../sdk/request.ts';

/** The Vault JSON envelope around a response's data, in Vault's field order. */
export function buildEnvelope(requestId: string, res: Response): Record<string, unknown> {
  const extra = res.envelope ?? {};
  return {
    request_id: requestId,
    lease_id: extra.lease_id ?? '',
    renewable: extra.renewable ?? false,
    lease_duration: extra.lease_duration ?? 0,
    data: res.data ?? null,
    wrap_info: extra.wrap_info ?? null,
    warnings: res.warnings && res.warnings.length > 0 ? res.warnings : null,
    auth: extra.auth ?? null,
    mount_type: extra.mount_type ?? '',
  };
}

/** Whether a response is sent in the envelope (otherwise: raw, or 204 without a body). */
export function hasEnvelope(res: Response): boolean {
  const extra = res.envelope;
  return (
    res.data !== undefined || (res.warnings !== undefined && res.warnings.length > 0) || extra !== undefined
  );
}
