import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { RateLimitCounters, rateLimitWindows, type RateLimitWindow } from './rate-limit-counters.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const minute = (limit: number): RateLimitWindow => ({ name: 'minute', seconds: 60, limit });
const caller = () => `k-${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rateLimitWindows', () => {
  it('burst then minute; 0 turns a window off', () => {
    expect(rateLimitWindows({ RATE_LIMIT_PER_MINUTE: 600, RATE_LIMIT_BURST_PER_SECOND: 50 })).toEqual([
      { name: 'burst', seconds: 1, limit: 50 },
      { name: 'minute', seconds: 60, limit: 600 },
    ]);
    expect(rateLimitWindows({ RATE_LIMIT_PER_MINUTE: 600, RATE_LIMIT_BURST_PER_SECOND: 0 })).toEqual([minute(600)]);
    expect(rateLimitWindows({ RATE_LIMIT_PER_MINUTE: 0, RATE_LIMIT_BURST_PER_SECOND: 0 })).toEqual([]);
  });
});

describe('RateLimitCounters in memory', () => {
  afterEach(() => jest.useRealTimers());

  it('counts down, refuses the request over the limit and blocks for one window, then starts again', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const counters = RateLimitCounters.inMemory([minute(2)]);
    expect(await counters.count('a')).toEqual([{ window: minute(2), remaining: 1, reset: 60, blocked: false }]);
    jest.advanceTimersByTime(10_000);
    expect(await counters.count('a')).toEqual([{ window: minute(2), remaining: 0, reset: 50, blocked: false }]);
    // Over the limit: blocked for a whole window from now, not until the end of the current one.
    expect(await counters.count('a')).toEqual([{ window: minute(2), remaining: 0, reset: 60, blocked: true }]);
    jest.advanceTimersByTime(59_000);
    expect(await counters.count('a')).toMatchObject([{ blocked: true, reset: 1 }]);
    jest.advanceTimersByTime(1_000);
    expect(await counters.count('a')).toMatchObject([{ blocked: false, remaining: 1, reset: 60 }]);
  });

  it('callers are counted apart', async () => {
    const counters = RateLimitCounters.inMemory([minute(1)]);
    await counters.count('a');
    expect(await counters.count('a')).toMatchObject([{ blocked: true }]);
    expect(await counters.count('b')).toMatchObject([{ blocked: false }]);
  });

  it('both windows are counted; the first window that refuses stops the count', async () => {
    const burst: RateLimitWindow = { name: 'burst', seconds: 1, limit: 1 };
    const counters = RateLimitCounters.inMemory([burst, minute(5)]);
    expect(await counters.count('a')).toEqual([
      { window: burst, remaining: 0, reset: 1, blocked: false },
      { window: minute(5), remaining: 4, reset: 60, blocked: false },
    ]);
    expect(await counters.count('a')).toEqual([{ window: burst, remaining: 0, reset: 1, blocked: true }]);
  });
});

// Probed once for the whole run by test/helpers/global-setup.mjs.
const skip = process.env.TEST_REDIS_SKIP;
const describeRedis = skip ? describe.skip : describe;

describeRedis(`RateLimitCounters in a real Redis${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const prefix = `test:ratelimit:${process.pid}:${randomBytes(4).toString('hex')}`;
  const all: RateLimitCounters[] = [];
  const counters = async (windows: RateLimitWindow[]) => {
    const c = RateLimitCounters.inRedis(REDIS_URL, windows, { prefix });
    all.push(c);
    expect(await c.waitUntilReady()).toBe(true);
    return c;
  };

  afterAll(async () => {
    const redis = all[0]?.redis;
    if (redis) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
    }
    await Promise.all(all.map((c) => c.onApplicationShutdown()));
  });

  it('two instances share one limit, also under concurrency; callers are counted apart', async () => {
    const [a, b] = [await counters([minute(5)]), await counters([minute(5)])];
    const k = caller();
    for (let i = 0; i < 5; i++) expect(await (i % 2 ? b : a).count(k)).toMatchObject([{ blocked: false, remaining: 4 - i }]);
    const refused = await a.count(k);
    expect(refused).toMatchObject([{ blocked: true, remaining: 0 }]);
    expect(refused![0]!.reset).toBeGreaterThan(55);
    expect(await b.count(k)).toMatchObject([{ blocked: true }]);
    expect(await b.count(caller())).toMatchObject([{ blocked: false, remaining: 4 }]);

    const [c, d] = [await counters([minute(10)]), await counters([minute(10)])];
    const k2 = caller();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? c : d).count(k2)));
    expect(results.filter((r) => r && !r[0]!.blocked)).toHaveLength(10);
  });

  it('keys carry the prefix and the window, and expire', async () => {
    const c = await counters([minute(3)]);
    const k = caller();
    await c.count(k);
    const redisKey = `${prefix}:minute:${k}`;
    expect(await c.redis!.get(redisKey)).toBe('1');
    expect(await c.redis!.pttl(redisKey)).toBeGreaterThan(55_000);
  });

  it('the request over the limit blocks for one window; afterwards counting starts from zero', async () => {
    // A 2 s window: the second request lands inside it even on a loaded machine.
    const window: RateLimitWindow = { name: 'short', seconds: 2, limit: 1 };
    const c = await counters([window]);
    const k = caller();
    expect(await c.count(k)).toMatchObject([{ blocked: false }]);
    const over = await c.count(k);
    expect(over).toMatchObject([{ blocked: true, reset: 2 }]);
    await sleep(2_500);
    expect(await c.count(k)).toMatchObject([{ blocked: false, remaining: 0 }]);
  });
});

describe('RateLimitCounters when Redis cannot answer (fail open)', () => {
  let warn: ReturnType<typeof jest.spyOn>;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('unreachable: every request passes at once, and one warning', async () => {
    const c = RateLimitCounters.inRedis('redis://127.0.0.1:1', [minute(1)], { prefix: 'test:unreachable' });
    try {
      expect(await c.waitUntilReady(300)).toBe(false);
      const started = Date.now();
      for (let i = 0; i < 5; i++) expect(await c.count('k')).toBeUndefined();
      // Not queued behind a reconnect or a timeout: 5 timeouts alone would take 5 s.
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      await c.onApplicationShutdown();
    }
  });

  it('connected but silent: a request waits at most the timeout (1 s), then passes', async () => {
    // A server that accepts connections and never answers a command.
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const c = RateLimitCounters.inRedis(`redis://127.0.0.1:${port}`, [minute(1)], { prefix: 'test:silent', redis: { enableReadyCheck: false } });
    try {
      expect(await c.waitUntilReady()).toBe(true);
      const started = Date.now();
      expect(await c.count('k')).toBeUndefined();
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(2_500);
    } finally {
      c.redis!.disconnect();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
