import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { HealthController } from './health.controller.js';
import { ModelHealth } from './model-health.js';
import { RedisHealth } from './redis-health.js';
import { ShutdownState } from './shutdown-state.js';

/**
 * GET /health/live and /health/ready (@nestjs/terminus). Terminus' own error log is off: the
 * controller logs readiness changes once instead of every failed probe.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), AppConfigModule, DatabaseModule],
  controllers: [HealthController],
  providers: [ShutdownState, RedisHealth, ModelHealth],
  exports: [ShutdownState],
})
export class HealthModule {}
