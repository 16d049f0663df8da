import { Global, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { ModelsModule } from '../models/models.module.js';
import { GuardrailsController } from './guardrails.controller.js';
import { GuardrailsService } from './guardrails.service.js';
import { InjectionClassifier } from './injection-classifier.agent.js';

/**
 * Global: the agents (SDK guardrails), the HTTP pipes of every feature and the ticket workflow
 * use one GuardrailsService; the classifier agent runs through AgentRunner like every agent.
 */
@Global()
@Module({
  imports: [AppConfigModule, AgentsModule, ModelsModule],
  controllers: [GuardrailsController],
  providers: [GuardrailsService, InjectionClassifier],
  exports: [GuardrailsService],
})
export class GuardrailsModule {}
