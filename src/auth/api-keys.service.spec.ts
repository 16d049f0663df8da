import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../config/configuration.js';
import type { ApiKeyRow } from '../database/schema.js';
import { hashKey } from './api-keys-env.js';
import type { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService, DB_KEYS_CACHE_MS } from './api-keys.service.js';

const ENV_KEY = 'env-key-0123456789abcdef';

/** The table in memory, counting the queries that load it. */
class FakeRepository {
  rows: ApiKeyRow[] = [];
  loads = 0;
  touches: string[] = [];
  async active() {
    this.loads++;
    return this.rows.filter((r) => !r.revokedAt).map((r) => ({ ...r }));
  }
  async list() {
    return [...this.rows].reverse();
  }
  async insert(row: Pick<ApiKeyRow, 'id' | 'name' | 'keyHash' | 'prefix' | 'scopes'>) {
    const full: ApiKeyRow = { ...row, createdAt: new Date(), lastUsedAt: null, revokedAt: null };
    this.rows.push(full);
    return full;
  }
  async revoke(id: string) {
    const row = this.rows.find((r) => r.id === id);
    if (row && !row.revokedAt) row.revokedAt = new Date();
    return row;
  }
  async touch(id: string) {
    this.touches.push(id);
  }
}

async function service(env: Record<string, string>, repo = new FakeRepository()) {
  const keys = new ApiKeysService(loadConfig(env), repo as unknown as ApiKeysRepository);
  await keys.onModuleInit();
  return { keys, repo };
}

describe('ApiKeysService', () => {
  let now = 1_000_000;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('accepts the keys of API_KEYS with their scopes, by SHA-256; unknown keys are undefined', async () => {
    const { keys } = await service({ API_KEYS: `${ENV_KEY}:agents:run+kb:write` });
    expect(keys.isOpen()).toBe(false);
    expect(await keys.authenticate(ENV_KEY)).toEqual({
      id: 'env#1',
      name: 'API_KEYS entry 1',
      scopes: ['agents:run', 'kb:write'],
      source: 'env',
      rateLimitKey: hashKey(ENV_KEY),
    });
    expect(await keys.authenticate('nope')).toBeUndefined();
  });

  it('development without any key is open, and warns once at start-up', async () => {
    const { keys } = await service({});
    expect(keys.isOpen()).toBe(true);
    const warnings = (Logger.prototype.warn as jest.Mock).mock.calls.map((c) => String(c[0]));
    expect(warnings.filter((w) => w.includes('OPEN'))).toHaveLength(1);
  });

  it('production refuses to start without a key, and with a short key', async () => {
    await expect(service({ NODE_ENV: 'production' })).rejects.toThrow(/^NODE_ENV=production requires API_KEYS/);
    await expect(service({ NODE_ENV: 'production', API_KEYS: 'short-key:admin' })).rejects.toThrow(/API_KEYS: API_KEYS entry 1 shorter than 16 characters/);
    // Short keys are only a warning in development.
    const { keys } = await service({ API_KEYS: 'short-key:admin' });
    expect(await keys.authenticate('short-key')).toMatchObject({ id: 'env#1' });
  });

  it('production starts with only database keys, and never runs open', async () => {
    const repo = new FakeRepository();
    const seed = await service({}, repo);
    const created = await seed.keys.create('ops', ['admin']);
    const { keys } = await service({ NODE_ENV: 'production' }, repo);
    expect(keys.isOpen()).toBe(false);
    await keys.revoke(created.id);
    expect(keys.isOpen()).toBe(false);
  });

  it('a created key works at once; development is no longer open once a database key exists', async () => {
    const { keys, repo } = await service({});
    const created = await keys.create('helpdesk', ['tickets:write', 'tickets:write']);
    expect(created.key).toMatch(/^sa_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 10));
    expect(created.scopes).toEqual(['tickets:write']);
    expect(repo.rows[0]!.keyHash).toBe(hashKey(created.key));
    expect(JSON.stringify(repo.rows)).not.toContain(created.key);
    expect(keys.isOpen()).toBe(false);
    expect(await keys.authenticate(created.key)).toMatchObject({ id: created.id, name: 'helpdesk', source: 'db' });
    expect(JSON.stringify(await keys.list())).not.toContain(created.key);
  });

  it('a revoke on this instance takes effect at once; another instance notices within the cache time', async () => {
    const repo = new FakeRepository();
    const a = await service({ API_KEYS: `${ENV_KEY}:admin` }, repo);
    const b = await service({ API_KEYS: `${ENV_KEY}:admin` }, repo);
    const created = await a.keys.create('ci', ['agents:run']);
    now += 2_000;
    expect(await b.keys.authenticate(created.key)).toBeDefined(); // unknown to b: reloaded on the miss
    await a.keys.revoke(created.id);
    expect(await a.keys.authenticate(created.key)).toBeUndefined();
    expect(await b.keys.authenticate(created.key)).toBeDefined(); // b's copy is still fresh
    now += DB_KEYS_CACHE_MS + 1;
    await b.keys.ensureFresh();
    expect(await b.keys.authenticate(created.key)).toBeUndefined();
  });

  it('unknown keys reload the copy at most once a second, and a fresh copy is not reloaded', async () => {
    const { keys, repo } = await service({ API_KEYS: `${ENV_KEY}:admin` });
    const loads = repo.loads;
    now += 5_000;
    for (let i = 0; i < 50; i++) await keys.authenticate(`guess-${i}`);
    expect(repo.loads - loads).toBe(1);
    await keys.ensureFresh();
    expect(repo.loads - loads).toBe(1);
    await keys.authenticate(ENV_KEY);
    expect(repo.loads - loads).toBe(1);
  });

  it('last_used_at is written at most once a minute per key', async () => {
    const { keys, repo } = await service({});
    const created = await keys.create('bot', ['agents:run']);
    for (let i = 0; i < 10; i++) await keys.authenticate(created.key);
    expect(repo.touches).toEqual([created.id]);
    now += 61_000;
    await keys.authenticate(created.key);
    expect(repo.touches).toEqual([created.id, created.id]);
  });

  it('a failed reload keeps the previous copy (and API_KEYS) working', async () => {
    const { keys, repo } = await service({ API_KEYS: `${ENV_KEY}:admin` });
    const created = await keys.create('bot', ['agents:run']);
    repo.active = async () => {
      throw new Error('connection refused');
    };
    now += DB_KEYS_CACHE_MS + 1;
    await keys.ensureFresh();
    expect(await keys.authenticate(created.key)).toBeDefined();
    expect(await keys.authenticate(ENV_KEY)).toBeDefined();
  });

  it('revoking an unknown id is a 404 problem; env ids get a hint', async () => {
    const { keys } = await service({ API_KEYS: `${ENV_KEY}:admin` });
    await expect(keys.revoke('6f1d0c2e-8b4a-4f6e-9d3c-2a7b5e9f0c11')).rejects.toMatchObject({ problem: { status: 404 } });
    await expect(keys.revoke('env#1')).rejects.toMatchObject({ problem: { status: 404, detail: expect.stringContaining('API_KEYS') } });
  });
});
