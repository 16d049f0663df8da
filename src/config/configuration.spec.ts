import { readFileSync } from 'node:fs';
import { envSchema, loadConfig } from './configuration.js';

describe('configuration', () => {
  it('runs offline by default and on an empty OPENAI_API_KEY', () => {
    expect(loadConfig({}).backend).toBe('offline');
    expect(loadConfig({ OPENAI_API_KEY: '' }).backend).toBe('offline');
  });

  it('chooses OpenAI when a key is set, unless LLM_PROVIDER says offline', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'sk-x' }).backend).toBe('openai');
    expect(loadConfig({ OPENAI_API_KEY: 'sk-x', LLM_PROVIDER: 'offline' }).backend).toBe('offline');
    expect(loadConfig({ LLM_PROVIDER: 'openai' }).backend).toBe('openai');
  });

  it('resolves per-agent models with OPENAI_MODEL as fallback', () => {
    const c = loadConfig({ OPENAI_MODEL: 'm-default', TRIAGE_MODEL: 'm-triage', RESOLUTION_MODEL: '' });
    expect(c.modelFor('triage')).toBe('m-triage');
    expect(c.modelFor('resolution')).toBe('m-default');
  });

  it('parses numbers and booleans, and rejects bad values naming each variable', () => {
    const c = loadConfig({ PORT: '8080', LLM_FALLBACK: 'false', OPENAI_TRACING: 'yes' });
    expect(c.env.PORT).toBe(8080);
    expect(c.env.LLM_FALLBACK).toBe(false);
    expect(c.env.OPENAI_TRACING).toBe(true);
    expect(() => loadConfig({ PORT: 'eighty', OPENAI_API: 'soap', ALERT_WEBHOOK_URL: 'not a url' })).toThrow(
      /PORT[\s\S]*OPENAI_API[\s\S]*ALERT_WEBHOOK_URL|PORT[\s\S]*ALERT_WEBHOOK_URL[\s\S]*OPENAI_API/,
    );
  });

  it('.env.example documents every variable', () => {
    const documented = new Set([...readFileSync('.env.example', 'utf8').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
    expect([...Object.keys(envSchema.shape)].filter((k) => !documented.has(k))).toEqual([]);
  });
});
