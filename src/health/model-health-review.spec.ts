import { loadConfig } from '../config/configuration.js';
import { ModelHealth } from './model-health.js';

describe('ModelHealth (review): the public readiness answer never shows credentials of OPENAI_BASE_URL', () => {
  it.each([
    ['user and password (a proxy with basic auth)', 'http://svc:s3cretPw@127.0.0.1:9/v1', 's3cretPw'],
    ['a key in the query', 'http://127.0.0.1:9/v1?api-key=k3y-abcdef', 'k3y-abcdef'],
  ])('%s', async (_what, base, secret) => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-test-0000000000000000', OPENAI_BASE_URL: base });
    const probe = await new ModelHealth(config).probe();
    expect(probe.ok).toBe(false);
    expect(probe.message).toContain('127.0.0.1:9');
    expect(probe.message).not.toContain(secret);
  });
});
