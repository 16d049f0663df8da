import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthGuard } from './auth.guard.js';

/**
 * API keys (API_KEYS and the api_keys table) and the guard that checks them. AppModule registers
 * AuthGuard as a global guard, ahead of the rate limiter (which counts per key).
 */
@Module({
  imports: [AppConfigModule, DatabaseModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysRepository, ApiKeysService, AuthGuard],
  exports: [ApiKeysService, AuthGuard],
})
export class AuthModule {}
