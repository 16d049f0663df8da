import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { AlertDispatcher } from './alert.dispatcher.js';
import { AlertWebhooks } from './alert.webhooks.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertsService } from './alerts.service.js';

/** Alert delivery (Slack-compatible and generic webhooks, signed, retried), its log and GET /monitoring/alerts. */
@Module({
  imports: [AppConfigModule, DatabaseModule],
  controllers: [AlertsController],
  providers: [AlertsRepository, AlertWebhooks, AlertDispatcher, AlertsService],
  exports: [AlertDispatcher],
})
export class AlertsModule {}
