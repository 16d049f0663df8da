import { Logger, Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { AppConfig } from '../config/configuration.js';
import { MemoryThrottlerStorage } from './memory-throttler-storage.js';
import { RATE_LIMIT_STORAGE, type RateLimitStorage } from './rate-limit-storage.js';
import { RateLimitGuard, rateLimitWindows } from './rate-limit.guard.js';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';

/**
 * Per-key rate limits (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_BURST_PER_SECOND). Counters live in this
 * process's memory, or in Redis with REDIS_URL so every instance counts against the same limit.
 * AppModule registers RateLimitGuard as a global guard after AuthGuard (it counts per key).
 */
@Module({
  imports: [AppConfigModule],
  providers: [
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<RateLimitStorage> => {
        const url = config.env.REDIS_URL;
        if (!url || !rateLimitWindows(config.env).length) return new MemoryThrottlerStorage();
        const storage = RedisThrottlerStorage.connect(url);
        const logger = new Logger('RateLimit');
        if (await storage.waitUntilReady()) logger.log('Rate-limit counters in Redis (shared by every instance).');
        else logger.warn('Redis (REDIS_URL) is not reachable yet: requests are not rate limited until it is.');
        return storage;
      },
    },
    RateLimitGuard,
  ],
  exports: [RateLimitGuard],
})
export class RateLimitModule {}
