import { jest } from '@jest/globals';
import { MemoryThrottlerStorage } from './memory-throttler-storage.js';

describe('MemoryThrottlerStorage', () => {
  let now = 1_000_000;
  let storage: MemoryThrottlerStorage;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    storage = new MemoryThrottlerStorage();
  });
  afterEach(() => {
    storage.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('counts hits in a window, blocks the hit over the limit for the block duration, then starts again', async () => {
    expect(await storage.increment('k', 60_000, 2, 30_000, 'minute')).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    now += 10_000;
    expect(await storage.increment('k', 60_000, 2, 30_000, 'minute')).toEqual({ totalHits: 2, timeToExpire: 50, isBlocked: false, timeToBlockExpire: 0 });
    expect(await storage.increment('k', 60_000, 2, 30_000, 'minute')).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 30 });
    now += 29_000;
    expect(await storage.increment('k', 60_000, 2, 30_000, 'minute')).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    now += 1_000;
    expect(await storage.increment('k', 60_000, 2, 30_000, 'minute')).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60 });
  });

  it('a new window after the old one ends; callers and windows are counted apart', async () => {
    await storage.increment('a', 1_000, 1, 1_000, 'burst');
    expect((await storage.increment('b', 1_000, 1, 1_000, 'burst')).isBlocked).toBe(false);
    now += 1_000;
    expect(await storage.increment('a', 1_000, 1, 1_000, 'burst')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('without a block duration, a caller over the limit waits for the end of the window', async () => {
    await storage.increment('k', 10_000, 1, 0, 'minute');
    now += 4_000;
    expect(await storage.increment('k', 10_000, 1, 0, 'minute')).toMatchObject({ isBlocked: true, timeToBlockExpire: 6 });
    now += 6_000;
    expect((await storage.increment('k', 10_000, 1, 0, 'minute')).isBlocked).toBe(false);
  });

  it('sweeps idle callers', async () => {
    await storage.increment('a', 1_000, 5, 1_000, 'burst');
    await storage.increment('b', 60_000, 5, 60_000, 'minute');
    now += 2_000;
    storage.sweep();
    expect(storage.size).toBe(1);
  });
});
