import { Logger, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { KnowledgeBaseModule } from '../knowledge-base/knowledge-base.module.js';
import { ModelsModule } from '../models/models.module.js';
import { AppConfig } from '../config/configuration.js';
import { KnowledgeBaseService } from '../knowledge-base/knowledge-base.service.js';
import { TRIAGE_TRAINING } from './triage.constants.js';
import { triageModelFor, trainingSource } from './triage-training.js';
import { TriageAgent } from './triage.agent.js';
import { TriageController } from './triage.controller.js';

@Module({
  imports: [AppConfigModule, ModelsModule, AgentsModule, KnowledgeBaseModule],
  controllers: [TriageController],
  providers: [
    TriageAgent,
    {
      provide: TRIAGE_TRAINING,
      inject: [AppConfig, KnowledgeBaseService],
      useFactory: (config: AppConfig, kb: KnowledgeBaseService) =>
        triageModelFor(trainingSource(config.env), kb.list(), (err) =>
          new Logger('TriageAgent').warn(`Training in a worker thread failed (${err.message}); training in process.`),
        ),
    },
  ],
  exports: [TriageAgent],
})
export class TriageModule {}
