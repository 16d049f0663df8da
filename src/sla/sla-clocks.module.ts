import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { SlaPoliciesService } from './sla-policies.service.js';
import { SlaRepository } from './sla.repository.js';
import { SlaService } from './sla.service.js';

/**
 * The SLA policies and per-ticket clocks, without the check, its alerts or its escalations:
 * what the approval queue and the hand-off packages read. Split from SlaModule, which imports
 * HandoffModule (pre-breach escalations), so HandoffModule can import this without a cycle.
 * SlaRepository is exported for SlaModule's check (one instance).
 */
@Module({
  imports: [AppConfigModule, DatabaseModule],
  providers: [SlaRepository, SlaPoliciesService, SlaService],
  exports: [SlaService, SlaPoliciesService, SlaRepository],
})
export class SlaClocksModule {}
