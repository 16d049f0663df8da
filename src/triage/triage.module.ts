import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { KnowledgeBaseModule } from '../knowledge-base/knowledge-base.module.js';
import { ModelsModule } from '../models/models.module.js';
import { TriageAgent } from './triage.agent.js';
import { TriageController } from './triage.controller.js';

@Module({
  imports: [AppConfigModule, ModelsModule, AgentsModule, KnowledgeBaseModule],
  controllers: [TriageController],
  providers: [TriageAgent],
  exports: [TriageAgent],
})
export class TriageModule {}
