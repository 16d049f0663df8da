import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { HandoffModule } from '../handoff/handoff.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { ResolutionModule } from '../resolution/resolution.module.js';
import { TriageModule } from '../triage/triage.module.js';
import { VerificationModule } from '../verification/verification.module.js';
import { TicketRedactionJob } from './ticket-redaction.job.js';
import { TicketWorkflow } from './ticket-workflow.service.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsRepository } from './tickets.repository.js';
import { TicketsService } from './tickets.service.js';

@Module({
  imports: [AppConfigModule, DatabaseModule, IdempotencyModule, TriageModule, ResolutionModule, HandoffModule, VerificationModule, QueueModule],
  controllers: [TicketsController],
  providers: [TicketsRepository, TicketWorkflow, TicketsService, TicketRedactionJob],
  exports: [TicketsService, TicketsRepository, TicketWorkflow],
})
export class TicketsModule {}
