import { loadConfig } from '../config/configuration.js';
import { parseTrustProxy, trustProxyErrors } from './trust-proxy.js';

describe('TRUST_PROXY', () => {
  it('booleans, hop counts and address lists', () => {
    expect(parseTrustProxy(undefined)).toBeUndefined();
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('loopback')).toEqual(['loopback']);
    expect(parseTrustProxy(' loopback, 10.0.0.0/8 ,fd00::/8')).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8']);
  });

  it('names each bad entry', () => {
    expect(trustProxyErrors('loopback, 10.0.0.0/8, 192.168.0.0/255.255.0.0, ::1')).toEqual([]);
    expect(trustProxyErrors('loopbak, 10.0.0.0/33, example.com')).toEqual([
      expect.stringContaining('"loopbak"'),
      expect.stringContaining('"10.0.0.0/33"'),
      expect.stringContaining('"example.com"'),
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'loopbak' })).toThrow(/TRUST_PROXY: "loopbak" is not an IP address/);
  });
});
