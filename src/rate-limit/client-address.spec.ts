import { rateLimitAddress } from './client-address.js';

describe('rateLimitAddress', () => {
  it('IPv4 as is; IPv4-mapped IPv6 as IPv4; loopback; no address', () => {
    expect(rateLimitAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitAddress('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(rateLimitAddress('::1')).toBe('::1');
    expect(rateLimitAddress(undefined)).toBe('unknown');
    expect(rateLimitAddress('not an address')).toBe('not an address');
  });

  it('IPv6 counts per /64: hosts of one /64 share a caller, another /64 is another caller', () => {
    const a = rateLimitAddress('2001:db8:1:2:aaaa::1');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(rateLimitAddress('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe(a);
    expect(rateLimitAddress('2001:db8:1:2::7%eth0')).toBe(a);
    expect(rateLimitAddress('2001:db8:1:3::1')).not.toBe(a);
    expect(rateLimitAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateLimitAddress('::')).toBe('0:0:0:0::/64');
  });
});
