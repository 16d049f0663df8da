import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AlertsModule } from '../alerts/alerts.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { HandoffModule } from '../handoff/handoff.module.js';
import { SlaCheckService } from './sla-check.service.js';
import { SlaPoliciesService } from './sla-policies.service.js';
import { SlaController } from './sla.controller.js';
import { SlaRepository } from './sla.repository.js';
import { SlaService } from './sla.service.js';

/** SLA policies and clocks over stored tickets, the scheduled check, at-risk, overview and trends (docs/sla.md). */
@Module({
  imports: [AppConfigModule, DatabaseModule, AlertsModule, HandoffModule, ScheduleModule.forRoot()],
  controllers: [SlaController],
  providers: [SlaRepository, SlaPoliciesService, SlaService, SlaCheckService],
  exports: [SlaService, SlaPoliciesService],
})
export class SlaModule {}
