import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { HandoffModule } from '../handoff/handoff.module.js';
import { SlaClocksModule } from '../sla/sla-clocks.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { ApprovalsController } from './approvals.controller.js';
import { ApprovalsRepository } from './approvals.repository.js';
import { ApprovalsService } from './approvals.service.js';

/** People approving or rejecting the account actions the agents propose; resumes the paused runs. Each item's SLA comes from SlaClocksModule's policy clocks. */
@Module({
  imports: [AppConfigModule, DatabaseModule, TicketsModule, HandoffModule, SlaClocksModule],
  controllers: [ApprovalsController],
  providers: [ApprovalsRepository, ApprovalsService],
})
export class ApprovalsModule {}
