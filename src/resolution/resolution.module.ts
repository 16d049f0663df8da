import { Module } from '@nestjs/common';
import { ActionsModule } from '../actions/actions.module.js';
import { AgentsModule } from '../agents/agents.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { KnowledgeBaseModule } from '../knowledge-base/knowledge-base.module.js';
import { ModelsModule } from '../models/models.module.js';
import { TriageModule } from '../triage/triage.module.js';
import { ResolutionAgent } from './resolution.agent.js';
import { ResolutionController } from './resolution.controller.js';

@Module({
  imports: [AppConfigModule, ModelsModule, AgentsModule, KnowledgeBaseModule, TriageModule, ActionsModule],
  controllers: [ResolutionController],
  providers: [ResolutionAgent],
  exports: [ResolutionAgent],
})
export class ResolutionModule {}
