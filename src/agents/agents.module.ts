import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { TracingModule } from '../observability/tracing/tracing.module.js';
import { AgentRegistry } from './agent-registry.js';
import { AgentRunner } from './agent-runner.js';
import { AGENT_REGISTRY } from './agents.constants.js';
import { AgentsController } from './agents.controller.js';
import { AgentsService } from './agents.service.js';

/** The registry (resolved by name through the AGENT_REGISTRY token) and the SDK runner. */
@Module({
  imports: [AppConfigModule, TracingModule],
  controllers: [AgentsController],
  providers: [{ provide: AGENT_REGISTRY, useFactory: () => new AgentRegistry() }, AgentRunner, AgentsService],
  exports: [AGENT_REGISTRY, AgentRunner],
})
export class AgentsModule {}
