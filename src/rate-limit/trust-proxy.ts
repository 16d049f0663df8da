import { isIP } from 'node:net';

/**
 * TRUST_PROXY → Express's `trust proxy` setting, which decides the client address (`req.ip`) that
 * rate limits count against in open mode and that logs show. Accepted values:
 * - `true` / `false`: trust every / no proxy (`true` lets any client choose its address through
 *   X-Forwarded-For: only behind a proxy that overwrites that header);
 * - a number: how many proxies stand in front (e.g. `1` for one load balancer);
 * - a comma-separated list of proxy addresses, CIDR ranges or the names `loopback`,
 *   `linklocal`, `uniquelocal`, e.g. `loopback, 10.0.0.0/8`.
 */
export type TrustProxySetting = boolean | number | string[];

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export function parseTrustProxy(value: string | undefined): TrustProxySetting | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^(true|yes|on)$/i.test(v)) return true;
  if (/^(false|no|off)$/i.test(v)) return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** What is wrong with a TRUST_PROXY value (one message per bad entry); empty when it is fine. */
export function trustProxyErrors(value: string | undefined): string[] {
  const parsed = parseTrustProxy(value);
  if (!Array.isArray(parsed)) return [];
  if (!parsed.length) return ['must be true, false, a number of proxies, or a list of addresses'];
  return parsed.filter((entry) => !validEntry(entry)).map((entry) => `"${entry.slice(0, 60)}" is not an IP address, a CIDR range, loopback, linklocal or uniquelocal`);
}

function validEntry(entry: string): boolean {
  if (NAMES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length || !address) return false;
  const family = isIP(address);
  if (!family) return false;
  if (bits === undefined) return true;
  // A prefix length, or (IPv4) a netmask such as 255.255.0.0 as Express's proxy-addr accepts.
  if (/^\d{1,3}$/.test(bits)) return Number(bits) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(bits) === 4;
}
