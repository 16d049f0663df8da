import { Global, Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { CostsController } from './costs.controller.js';
import { CostsRepository } from './costs.repository.js';
import { CostsService } from './costs.service.js';
import { ModelPacer } from './model-pacer.js';

/**
 * Model pacing, token budget and cost (docs/costs.md). Global like the metrics: the agent runner
 * paces its provider and the ticket workflow records usage without importing it everywhere.
 */
@Global()
@Module({
  imports: [AppConfigModule, DatabaseModule],
  controllers: [CostsController],
  providers: [CostsRepository, CostsService, ModelPacer],
  exports: [CostsService, ModelPacer],
})
export class CostsModule {}
