import { Logger, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { ModelsModule } from '../models/models.module.js';
import { AppConfig } from '../config/configuration.js';
import { readArticleDir } from '../knowledge-base/article-files.js';
import { TRIAGE_TRAINING } from './triage.constants.js';
import { triageModelFor, trainingSource } from './triage-training.js';
import { TriageAgent } from './triage.agent.js';
import { TriageController } from './triage.controller.js';

@Module({
  imports: [AppConfigModule, ModelsModule, AgentsModule],
  controllers: [TriageController],
  providers: [
    TriageAgent,
    {
      provide: TRIAGE_TRAINING,
      inject: [AppConfig],
      // The shipped articles in KB_DIR, as the pre-started worker reads them: training does not
      // wait for the database, and the model is the same on every instance.
      useFactory: (config: AppConfig) =>
        triageModelFor(trainingSource(config.env), readArticleDir(config.env.KB_DIR), (err) =>
          new Logger('TriageAgent').warn(`Training in a worker thread failed (${err.message}); training in process.`),
        ),
    },
  ],
  exports: [TriageAgent],
})
export class TriageModule {}
