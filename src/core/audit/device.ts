/**
 * The audit device interface. Devices (src/audit/*) import these types only (`import type`), so
 * they depend on nothing of core at run time. The broker formats and hashes the entries; a device
 * only moves finished lines somewhere durable.
 */
import type { Logger } from '../../sdk/logger.ts';

export interface AuditDevice {
  /** The device type, e.g. `file`. */
  readonly type: string;
  /**
   * Writes the lines (each one JSON entry, without the trailing newline). Resolves once they are
   * durable (file: after fdatasync) or sent (socket); rejects on any failure. With
   * `sync: false` a file device writes without waiting for the disk: the next synced write (the
   * response line) makes both durable, so every entry is on disk before its response leaves.
   */
  write(lines: string[], opts?: { sync?: boolean }): Promise<void>;
  /** SIGHUP: reopen files (logrotate), reconnect sockets. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export interface AuditDeviceDeps {
  readonly logger: Logger;
}

/**
 * Builds a device from its options. The options are the device's own ones only: the broker
 * removes the ones it handles itself (log_raw, hmac_accessor, format, prefix,
 * elide_list_responses) first, so a device refuses any key it does not know. Rejects with a
 * BadRequestError (the reason in the message) on bad options or when the device cannot write
 * (file not openable, socket not reachable).
 */
export type AuditDeviceFactory = (
  options: Record<string, string>,
  deps: AuditDeviceDeps,
) => Promise<AuditDevice>;
