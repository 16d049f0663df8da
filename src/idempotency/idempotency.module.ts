import { Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { IdempotencyService } from './idempotency.service.js';

@Module({
  imports: [AppConfigModule, DatabaseModule],
  providers: [IdempotencyService],
  exports: [IdempotencyService],
})
export class IdempotencyModule implements OnApplicationBootstrap {
  constructor(private readonly idempotency: IdempotencyService) {}

  async onApplicationBootstrap(): Promise<void> {
    const purged = await this.idempotency.purgeExpired();
    if (purged) new Logger('Idempotency').log(`Purged ${purged} expired Idempotency-Key records`);
  }
}
