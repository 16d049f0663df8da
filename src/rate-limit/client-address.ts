import { isIP } from 'node:net';

/**
 * The rate-limit caller for a client address (`req.ip`, which already honours TRUST_PROXY):
 * IPv4 as is, IPv4-mapped IPv6 (`::ffff:203.0.113.7`) as the IPv4 address, `::1` as is, any
 * other IPv6 address as its /64 (one host usually holds a whole /64, so counting single IPv6
 * addresses would let a client rotate through 2^64 budgets).
 *
 * Hand-written because req.ip alone does not group IPv6 addresses and rate-limiter-flexible takes
 * any string as the key; it replaces @nestjs/throttler's normalizeIp (the same grouping), which
 * the guard loaded from that package's dist/ only for this.
 */
export function rateLimitAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  const bare = address.split('%')[0]!; // an IPv6 zone (fe80::1%eth0) is not part of the address
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return address;
  const h = hextets(bare.toLowerCase());
  if (h.slice(0, 7).every((x) => x === 0) && h[7] === 1) return '::1';
  if (h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff) return [h[6]! >> 8, h[6]! & 0xff, h[7]! >> 8, h[7]! & 0xff].join('.');
  return `${h
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

/** The 8 groups of a valid (isIP) IPv6 address, `::` expanded and a dotted IPv4 tail converted. */
function hextets(ip: string): number[] {
  let text = ip;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16));
}
