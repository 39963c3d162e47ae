/** The seal status table shared by `status` and `operator unseal`. */
import type { SealStatus } from '../client/index.ts';
import type { Context } from './command.ts';
import type { FlagSpecs } from './flags.ts';
import { keyValueTable } from './output.ts';

export function sealStatusRows(s: SealStatus): [string, unknown][] {
  const rows: [string, unknown][] = [
    ['Seal Type', s.type],
    ['Initialized', s.initialized],
    ['Sealed', s.sealed],
    ['Total Shares', s.n],
    ['Threshold', s.t],
  ];
  if (s.sealed) {
    rows.push(['Unseal Progress', `${s.progress}/${s.t}`]);
    rows.push(['Unseal Nonce', s.nonce ?? '']);
  }
  rows.push(['Version', s.version]);
  if (s.build_date) rows.push(['Build Date', s.build_date]);
  if (s.storage_type) rows.push(['Storage Type', s.storage_type]);
  if (!s.sealed) {
    if (s.cluster_name) rows.push(['Cluster Name', s.cluster_name]);
    if (s.cluster_id) rows.push(['Cluster ID', s.cluster_id]);
  }
  return rows;
}

export function printSealStatus(ctx: Context<FlagSpecs>, status: SealStatus): void {
  if (ctx.format === 'json') ctx.json(status);
  else ctx.out(keyValueTable(sealStatusRows(status)));
}
