import { Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { IdempotencyService } from './idempotency.service.js';

@Module({
  imports: [AppConfigModule, DatabaseModule],
  providers: [IdempotencyService],
  exports: [IdempotencyService],
})
export class IdempotencyModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Idempotency');
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly idempotency: IdempotencyService) {}

  /** Expired records (stored responses are whole tickets) are purged at start-up and hourly. */
  async onApplicationBootstrap(): Promise<void> {
    await this.purge();
    this.timer = setInterval(() => void this.purge().catch((err: Error) => this.logger.warn(`Purging Idempotency-Key records failed: ${err.message}`)), PURGE_EVERY_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async purge(): Promise<void> {
    const purged = await this.idempotency.purgeExpired();
    if (purged) this.logger.log(`Purged ${purged} expired Idempotency-Key records`);
  }
}

const PURGE_EVERY_MS = 60 * 60 * 1000;
