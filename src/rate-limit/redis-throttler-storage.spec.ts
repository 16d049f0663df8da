import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';

const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Why the Redis suite cannot run here, or undefined when Redis answers. */
async function probeRedis(): Promise<string | undefined> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    return `Redis not reachable at ${REDIS_URL.replace(/:[^:@/]*@/, ':***@')} (${(err as Error).message})`;
  } finally {
    redis.disconnect();
  }
}

const skip = await probeRedis();
const describeRedis = skip ? describe.skip : describe;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeRedis(`RedisThrottlerStorage against a real Redis${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const prefix = `test:ratelimit:${process.pid}:${randomBytes(4).toString('hex')}:`;
  const storages: RedisThrottlerStorage[] = [];
  const storage = async () => {
    const s = RedisThrottlerStorage.connect(REDIS_URL, prefix);
    storages.push(s);
    expect(await s.waitUntilReady()).toBe(true);
    return s;
  };
  const key = () => `k-${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    const redis = storages[0]?.redis;
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    }
    await Promise.all(storages.map((s) => s.onApplicationShutdown()));
  });

  it('counts hits in a window that expires, and blocks the hit over the limit for the block duration', async () => {
    const s = await storage();
    const k = key();
    const first = await s.increment(k, 60_000, 3, 30_000, 'minute');
    expect(first).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    const ttl = await s.redis.pttl(`${prefix}{${k}}:hits`);
    expect(ttl).toBeGreaterThan(59_000);
    expect((await s.increment(k, 60_000, 3, 30_000, 'minute')).totalHits).toBe(2);
    expect((await s.increment(k, 60_000, 3, 30_000, 'minute')).isBlocked).toBe(false);
    const over = await s.increment(k, 60_000, 3, 30_000, 'minute');
    expect(over).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 30 });
    // While blocked nothing is counted, and the answer stays "blocked".
    const again = await s.increment(k, 60_000, 3, 30_000, 'minute');
    expect(again.isBlocked).toBe(true);
    expect(again.timeToBlockExpire).toBeLessThanOrEqual(30);
    expect(await s.redis.exists(`${prefix}{${k}}:hits`)).toBe(0);
  });

  it('after the block, counting starts again from zero', async () => {
    const s = await storage();
    const k = key();
    await s.increment(k, 10_000, 1, 200, 'burst');
    expect((await s.increment(k, 10_000, 1, 200, 'burst')).isBlocked).toBe(true);
    await sleep(260);
    expect(await s.increment(k, 10_000, 1, 200, 'burst')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('two instances share one counter: the limit holds across them, also under concurrency', async () => {
    const [a, b] = [await storage(), await storage()];
    const k = key();
    for (let i = 0; i < 4; i++) expect((await (i % 2 ? b : a).increment(k, 60_000, 5, 60_000, 'minute')).isBlocked).toBe(false);
    expect((await b.increment(k, 60_000, 5, 60_000, 'minute')).totalHits).toBe(5);
    expect((await a.increment(k, 60_000, 5, 60_000, 'minute')).isBlocked).toBe(true);
    expect((await b.increment(k, 60_000, 5, 60_000, 'minute')).isBlocked).toBe(true);

    const k2 = key();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).increment(k2, 60_000, 10, 60_000, 'minute')));
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(10);
  });

  it('without a block duration, a caller over the limit waits for the end of the window', async () => {
    const s = await storage();
    const k = key();
    // A 1.5 s window: the second call must land inside it even on a loaded machine.
    await s.increment(k, 1_500, 1, 0, 'burst');
    const over = await s.increment(k, 1_500, 1, 0, 'burst');
    expect(over).toMatchObject({ isBlocked: true });
    expect(over.timeToBlockExpire).toBeLessThanOrEqual(2);
    await sleep(1_600);
    expect((await s.increment(k, 1_500, 1, 0, 'burst')).isBlocked).toBe(false);
  });

  it('a counter left without expiry gets one (it could otherwise block its caller forever)', async () => {
    const s = await storage();
    const k = key();
    await s.redis.set(`${prefix}{${k}}:hits`, '1');
    await s.increment(k, 5_000, 10, 5_000, 'minute');
    expect(await s.redis.pttl(`${prefix}{${k}}:hits`)).toBeGreaterThan(0);
  });

  it('both keys of a caller share a hash slot (Redis Cluster)', async () => {
    const s = await storage();
    const k = key();
    await s.increment(k, 60_000, 0, 1_000, 'minute');
    expect((await s.redis.keys(`${prefix}{${k}}*`)).sort()).toEqual([`${prefix}{${k}}:block`]);
  });
});

describe('RedisThrottlerStorage with Redis unreachable', () => {
  it('fails open (allows, marked unavailable) quickly and warns at most once a minute', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const s = RedisThrottlerStorage.connect('redis://127.0.0.1:1', 'test:unreachable:');
    try {
      expect(await s.waitUntilReady(300)).toBe(false);
      const started = Date.now();
      for (let i = 0; i < 5; i++) {
        expect(await s.increment('k', 60_000, 1, 60_000, 'minute')).toMatchObject({ isBlocked: false, unavailable: true });
      }
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(warn.mock.calls.length).toBe(1);
    } finally {
      await s.onApplicationShutdown();
      warn.mockRestore();
    }
  });
});
