import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AlertsModule } from '../alerts/alerts.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { HandoffModule } from '../handoff/handoff.module.js';
import { SlaCheckService } from './sla-check.service.js';
import { SlaClocksModule } from './sla-clocks.module.js';
import { SlaController } from './sla.controller.js';

/**
 * The SLA routes, the scheduled check, at-risk, overview and trends (docs/sla.md). The policies
 * and clocks themselves live in SlaClocksModule, shared with approvals and hand-offs.
 */
@Module({
  imports: [AppConfigModule, DatabaseModule, SlaClocksModule, AlertsModule, HandoffModule, ScheduleModule.forRoot()],
  controllers: [SlaController],
  providers: [SlaCheckService],
  exports: [SlaClocksModule],
})
export class SlaModule {}
