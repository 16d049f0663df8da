import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { ModelsModule } from '../models/models.module.js';
import { ArticlesRepository } from './articles.repository.js';
import { KbGapsRepository } from './kb-gaps.repository.js';
import { KnowledgeBaseAgent } from './knowledge-base.agent.js';
import { KnowledgeBaseController } from './knowledge-base.controller.js';
import { KnowledgeBaseService } from './knowledge-base.service.js';

@Module({
  imports: [AppConfigModule, DatabaseModule, ModelsModule, AgentsModule],
  controllers: [KnowledgeBaseController],
  providers: [ArticlesRepository, KnowledgeBaseService, KnowledgeBaseAgent, KbGapsRepository],
  exports: [KnowledgeBaseService, KnowledgeBaseAgent],
})
export class KnowledgeBaseModule {}
