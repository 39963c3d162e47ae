import { BlockList, isIP } from 'node:net';
import { InvalidFieldError } from '../../sdk/index.ts';

/** One parsed CIDR block (a bare address is a /32 or /128). */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** Parses `10.0.0.0/8`, `127.0.0.1` or `::1/128`; undefined when it is not a CIDR block. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, bits, ...more] = text.trim().split('/');
  if (addr === undefined || more.length > 0) return undefined;
  const v = isIP(addr);
  if (v === 0) return undefined;
  const max = v === 4 ? 32 : 128;
  let prefix = max;
  if (bits !== undefined) {
    if (!/^\d{1,3}$/.test(bits)) return undefined;
    prefix = Number(bits);
    if (prefix > max) return undefined;
  }
  return { address: addr, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** Validates a field's list of CIDR blocks; returns them trimmed. */
export function parseCidrList(field: string, list: readonly string[]): string[] {
  const out: string[] = [];
  for (const item of list) {
    const text = item.trim();
    if (text === '') continue;
    if (!parseCidr(text)) throw new InvalidFieldError(`field "${field}": "${text}" is not a CIDR block`);
    out.push(text);
  }
  return out;
}

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const text of cidrs) {
    const c = parseCidr(text);
    if (c) list.addSubnet(c.address, c.prefix, c.family);
  }
  return list;
}

/** `::ffff:10.1.2.3` → `10.1.2.3`; strips an IPv6 zone. */
function plainAddress(addr: string): string {
  const a = addr.trim().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped ? mapped[1]! : a;
}

/** Whether `remoteAddr` lies in one of `cidrs`. An empty list allows every address. */
export function addressAllowed(remoteAddr: string, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true;
  const addr = plainAddress(remoteAddr);
  const v = isIP(addr);
  if (v === 0) return false;
  return blockList(cidrs).check(addr, v === 4 ? 'ipv4' : 'ipv6');
}

/** Whether every block of `inner` lies inside some block of `outer`. */
export function cidrsWithin(inner: readonly string[], outer: readonly string[]): boolean {
  const outerBlocks = outer.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  return inner.every((text) => {
    const c = parseCidr(text);
    if (!c) return false;
    return outerBlocks.some(
      (o) =>
        o.family === c.family &&
        o.prefix <= c.prefix &&
        blockList([`${o.address}/${o.prefix}`]).check(c.address, c.family),
    );
  });
}
