import { corsOptions, corsOriginErrors, parseCorsOrigins } from './cors.js';

describe('CORS_ORIGINS', () => {
  it('unset or empty: no CORS', () => {
    expect(corsOptions({ NODE_ENV: 'development' })).toBeUndefined();
    expect(corsOptions({ CORS_ORIGINS: ' , ', NODE_ENV: 'production' })).toBeUndefined();
  });

  it('an exact-origin allow-list, trimmed', () => {
    expect(parseCorsOrigins(' https://app.example.com , http://localhost:5173,')).toEqual(['https://app.example.com', 'http://localhost:5173']);
    const options = corsOptions({ CORS_ORIGINS: 'https://app.example.com,http://localhost:5173', NODE_ENV: 'production' })!;
    expect(options.origin).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(options.allowedHeaders).toEqual(expect.arrayContaining(['Authorization', 'x-api-key', 'Idempotency-Key', 'If-Match', 'Content-Type']));
    expect(options.exposedHeaders).toEqual(expect.arrayContaining(['Location', 'Retry-After', 'x-agent-backend', 'x-agent-degraded', 'Idempotent-Replayed', 'RateLimit-Remaining']));
  });

  it('refuses paths, trailing slashes, other schemes and non-URLs', () => {
    expect(corsOriginErrors('https://app.example.com/,https://ok.example.com,ftp://x.example.com,app.example.com,https://a.example.com/path')).toHaveLength(4);
    expect(corsOriginErrors('*,https://ok.example.com:8443')).toEqual([]);
  });

  it('"*" is allowed outside production only', () => {
    expect(corsOptions({ CORS_ORIGINS: '*', NODE_ENV: 'development' })!.origin).toBe('*');
    expect(() => corsOptions({ CORS_ORIGINS: '*', NODE_ENV: 'production' })).toThrow(/CORS_ORIGINS: "\*" \(any origin\) is not allowed with NODE_ENV=production/);
  });
});
