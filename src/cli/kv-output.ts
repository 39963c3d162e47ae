/** The sectioned output of the kv commands: "== Secret Path ==", "=== Metadata ===", "=== Data ===". */
import type { Context } from './command.ts';
import type { FlagSpecs } from './flags.ts';
import { dataRows, headerForKeys, keyValueTable, sectionHeader } from './output.ts';

type Ctx = Context<FlagSpecs>;

/** A path under a centered title as wide as the path. */
export function pathSection(title: string, path: string): string {
  return `${sectionHeader(title, path.length)}\n${path}`;
}

/** A titled Key/Value table of a map, keys sorted. */
export function mapSection(title: string, data: Record<string, unknown>): string {
  return `${headerForKeys(title, Object.keys(data))}\n${keyValueTable(dataRows(data))}`;
}

/** Prints sections separated by blank lines. */
export function printSections(ctx: Ctx, sections: readonly string[]): void {
  ctx.out(sections.join('\n\n'));
}
