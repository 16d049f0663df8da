import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { SlaClocksModule } from '../sla/sla-clocks.module.js';
import { HandoffController } from './handoff.controller.js';
import { HandoffRepository } from './handoff.repository.js';
import { HandoffService } from './handoff.service.js';
import { HandoffWebhook } from './handoff.webhook.js';

/** Hand-off packages of escalated tickets (GET /tickets/:id/handoff, the escalation webhook). TicketsModule imports it to call HandoffService.escalated; the SLA comes from SlaClocksModule's policy clocks. */
@Module({
  imports: [AppConfigModule, DatabaseModule, SlaClocksModule],
  controllers: [HandoffController],
  providers: [HandoffRepository, HandoffWebhook, HandoffService],
  exports: [HandoffService],
})
export class HandoffModule {}
