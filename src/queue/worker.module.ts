import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { CostsModule } from '../costs/costs.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { GuardrailsModule } from '../guardrails/guardrails.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { LoggingModule } from '../observability/logging.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { QueueModule } from './queue.module.js';
import { TicketJobProcessor } from './ticket-job.processor.js';
import { TicketWorker } from './ticket-worker.js';

/**
 * What a worker process loads (no HTTP): the ticket workflow with its agents and database, and
 * the queue, plus the global modules the workflow relies on (logging, metrics, guardrails, model
 * pacing and costs). Not the SLA checks, dashboard or HTTP routes.
 */
@Module({
  imports: [AppConfigModule, LoggingModule, MetricsModule, DatabaseModule, GuardrailsModule, CostsModule, TicketsModule, QueueModule],
  providers: [TicketJobProcessor, TicketWorker],
})
export class WorkerModule {}
