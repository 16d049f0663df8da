import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { ModelsModule } from '../models/models.module.js';
import { VerificationJudge } from './verification-judge.agent.js';
import { VerificationRepository } from './verification.repository.js';
import { VerificationService } from './verification.service.js';

/**
 * Resolution verification (docs/verification.md): the rules, the LLM judge (run through
 * AgentRunner like every agent) and the sweep. Import it where `VerificationService.review` is
 * called after a customer's event is recorded.
 */
@Module({
  imports: [AppConfigModule, DatabaseModule, AgentsModule, ModelsModule],
  providers: [VerificationRepository, VerificationJudge, VerificationService],
  exports: [VerificationService],
})
export class VerificationModule {}
