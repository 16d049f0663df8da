import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { QueueController } from './queue.controller.js';
import { TicketQueue } from './ticket-queue.service.js';

/** The API side of the ticket queue (enqueue, operator routes, queue depth); inert without REDIS_URL. */
@Module({
  imports: [AppConfigModule, DatabaseModule],
  controllers: [QueueController],
  providers: [TicketQueue],
  exports: [TicketQueue],
})
export class QueueModule {}
