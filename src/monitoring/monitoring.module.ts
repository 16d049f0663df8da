import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AlertsModule } from '../alerts/alerts.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { ModelsModule } from '../models/models.module.js';
import { VerificationModule } from '../verification/verification.module.js';
import { AlertSender } from './alert.sender.js';
import { MonitoringReportRepository } from './monitoring-report.repository.js';
import { MonitoringAgent } from './monitoring.agent.js';
import { MonitoringController } from './monitoring.controller.js';

/**
 * VerificationModule is imported here because the report's resolution quality reads what its
 * sweep keeps current (`tickets.verification`); the tickets module imports it too, to review a
 * ticket when a customer's event is recorded.
 */
@Module({
  imports: [AppConfigModule, DatabaseModule, ModelsModule, AgentsModule, VerificationModule, AlertsModule],
  controllers: [MonitoringController],
  providers: [AlertSender, MonitoringAgent, MonitoringReportRepository],
})
export class MonitoringModule {}
