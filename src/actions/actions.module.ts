import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { AccountActionsRepository } from './account-actions.repository.js';
import { AccountActionsService } from './account-actions.service.js';
import { AccountsController } from './accounts.controller.js';

/** Account actions the agents can take (with approval) and the store they change. */
@Module({
  imports: [AppConfigModule, DatabaseModule],
  controllers: [AccountsController],
  providers: [AccountActionsRepository, AccountActionsService],
  exports: [AccountActionsRepository, AccountActionsService],
})
export class ActionsModule {}
