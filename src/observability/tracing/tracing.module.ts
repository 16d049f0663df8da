import { Module } from '@nestjs/common';
import { AppConfigModule } from '../../config/config.module.js';
import { TracingService } from './tracing.service.js';

/** Agent-run tracing (docs/tracing.md); imported by AgentsModule, so every process that runs agents traces them. */
@Module({
  imports: [AppConfigModule],
  providers: [TracingService],
  exports: [TracingService],
})
export class TracingModule {}
