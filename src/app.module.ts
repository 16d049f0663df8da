import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AgentsModule } from './agents/agents.module.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { ApprovalsModule } from './approvals/approvals.module.js';
import { CostsModule } from './costs/costs.module.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthModule } from './auth/auth.module.js';
import { JsonBodyMiddleware } from './common/json-body.middleware.js';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { RunMetaInterceptor } from './common/run-meta.js';
import { createValidationPipe } from './common/validation.js';
import { AppConfigModule } from './config/config.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DatabaseModule } from './database/database.module.js';
import { GuardrailsModule } from './guardrails/guardrails.module.js';
import { HandoffModule } from './handoff/handoff.module.js';
import { HealthModule } from './health/health.module.js';
import { KnowledgeBaseModule } from './knowledge-base/knowledge-base.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MonitoringModule } from './monitoring/monitoring.module.js';
import { LoggingModule } from './observability/logging.module.js';
import { RateLimitGuard } from './rate-limit/rate-limit.guard.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { ResolutionModule } from './resolution/resolution.module.js';
import { SlaModule } from './sla/sla.module.js';
import { TicketsModule } from './tickets/tickets.module.js';
import { TriageModule } from './triage/triage.module.js';

/** Global pipe, filter and interceptor live here (not in main.ts) so test apps behave like production. */
@Module({
  imports: [AppConfigModule, LoggingModule, MetricsModule, HealthModule, DatabaseModule, AuthModule, RateLimitModule, AgentsModule, GuardrailsModule, TriageModule, KnowledgeBaseModule, ResolutionModule, MonitoringModule, TicketsModule, HandoffModule, ApprovalsModule, AlertsModule, SlaModule, DashboardModule, CostsModule],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    // In this order: the rate limiter counts per API key, which AuthGuard attaches to the request.
    { provide: APP_GUARD, useExisting: AuthGuard },
    { provide: APP_GUARD, useExisting: RateLimitGuard },
    { provide: APP_INTERCEPTOR, useClass: RunMetaInterceptor },
  ],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodyMiddleware).forRoutes('*');
  }
}
