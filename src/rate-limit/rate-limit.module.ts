import { Logger, Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { AppConfig } from '../config/configuration.js';
import { RateLimitCounters, rateLimitWindows } from './rate-limit-counters.js';
import { RateLimitGuard } from './rate-limit.guard.js';

/**
 * Per-key rate limits (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_BURST_PER_SECOND), counted by
 * rate-limiter-flexible in this process's memory, or in Redis with REDIS_URL so every instance
 * counts against the same limit. AppModule registers RateLimitGuard as a global guard after
 * AuthGuard (it counts per key).
 */
@Module({
  imports: [AppConfigModule],
  providers: [
    {
      provide: RateLimitCounters,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<RateLimitCounters> => {
        const windows = rateLimitWindows(config.env);
        const url = config.env.REDIS_URL;
        if (!url || !windows.length) return RateLimitCounters.inMemory(windows);
        const counters = RateLimitCounters.inRedis(url, windows);
        const logger = new Logger('RateLimit');
        if (await counters.waitUntilReady()) logger.log('Rate-limit counters in Redis (shared by every instance).');
        else logger.warn('Redis (REDIS_URL) is not reachable yet: requests are not rate limited until it is.');
        return counters;
      },
    },
    RateLimitGuard,
  ],
  exports: [RateLimitGuard],
})
export class RateLimitModule {}
