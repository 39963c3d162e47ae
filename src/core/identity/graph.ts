/**
 * The group graph: an edge parent → child for each id in a group's `member_group_ids`. A group's
 * policies apply to the members of its member groups, transitively, so an entity gets the
 * policies of its direct groups and of all their ancestors.
 */

/** Every ancestor of `start` (not `start` itself), nearest first. */
export function ancestors(start: Iterable<string>, parentsOf: (id: string) => Iterable<string>): string[] {
  const seen = new Set<string>(start);
  const out: string[] = [];
  const queue = [...seen];
  for (let i = 0; i < queue.length; i++) {
    for (const p of parentsOf(queue[i]!)) {
      if (seen.has(p)) continue;
      seen.add(p);
      out.push(p);
      queue.push(p);
    }
  }
  return out;
}

/**
 * Whether giving `group` the member groups `members` would close a cycle: true when `group` is
 * one of them or can be reached from one of them through existing member edges.
 */
export function closesCycle(
  group: string,
  members: Iterable<string>,
  childrenOf: (id: string) => Iterable<string>,
): string | undefined {
  for (const m of members) {
    if (m === group) return m;
    const seen = new Set<string>([m]);
    const stack = [m];
    while (stack.length > 0) {
      for (const c of childrenOf(stack.pop()!)) {
        if (c === group) return m;
        if (!seen.has(c)) {
          seen.add(c);
          stack.push(c);
        }
      }
    }
  }
  return undefined;
}
