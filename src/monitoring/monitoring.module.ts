import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { ModelsModule } from '../models/models.module.js';
import { AlertSender } from './alert.sender.js';
import { MonitoringReportRepository } from './monitoring-report.repository.js';
import { MonitoringAgent } from './monitoring.agent.js';
import { MonitoringController } from './monitoring.controller.js';

@Module({
  imports: [AppConfigModule, DatabaseModule, ModelsModule, AgentsModule],
  controllers: [MonitoringController],
  providers: [AlertSender, MonitoringAgent, MonitoringReportRepository],
})
export class MonitoringModule {}
