import { BlockList, isIP } from 'node:net';
import { InvalidFieldError } from '../../sdk/errors.ts';

/**
 * Bound CIDRs of a token: the token only works from these client addresses. A plain address is a
 * /32 (or /128). Parsed once at creation so a bad entry is a 400 then, never a surprise at use.
 */
export function parseCIDRs(field: string, list: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of list) {
    const s = raw.trim();
    if (s === '') continue;
    if (!splitCIDR(s))
      throw new InvalidFieldError(`field "${field}": "${s}" is not an IP address or CIDR block`);
    out.push(s);
  }
  return out;
}

function splitCIDR(s: string): { addr: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const slash = s.indexOf('/');
  const addr = slash === -1 ? s : s.slice(0, slash);
  const v = isIP(addr);
  if (v === 0) return undefined;
  const family = v === 4 ? 'ipv4' : 'ipv6';
  const max = v === 4 ? 32 : 128;
  if (slash === -1) return { addr, prefix: max, family };
  const p = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
  return { addr, prefix: Number(p), family };
}

/** `::ffff:10.0.0.1` (how Node reports IPv4 clients on a dual-stack socket) → `10.0.0.1`. */
function normalizeAddr(addr: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  return m ? m[1]! : addr;
}

/**
 * True when `addr` is inside one of `cidrs`, or when there are none (no binding). A malformed
 * address never matches a non-empty list.
 */
export function cidrAllows(cidrs: readonly string[], addr: string): boolean {
  if (cidrs.length === 0) return true;
  const a = normalizeAddr(addr.trim());
  const v = isIP(a);
  if (v === 0) return false;
  const list = new BlockList();
  for (const c of cidrs) {
    const parts = splitCIDR(c);
    if (parts) list.addSubnet(parts.addr, parts.prefix, parts.family);
  }
  return list.check(a, v === 4 ? 'ipv4' : 'ipv6');
}
