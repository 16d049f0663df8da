import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds buckets for HTTP requests and agent runs (offline runs take ms, model calls seconds). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Queue waits and job durations run longer (a backlog, a slow model). */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

/**
 * Every Prometheus metric the service exposes at /metrics (docs/operations.md), in one registry
 * per process (not prom-client's global one, so test apps in one Jest worker do not collide).
 * Label values are bounded sets (route templates, agent names, outcomes), never ids or text.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly agentRuns = new Histogram({
    name: 'agent_run_duration_seconds',
    help: 'Agent runs by agent, model backend and outcome (ok, error, guardrail, degraded).',
    labelNames: ['agent', 'backend', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly modelTokens = new Counter({
    name: 'model_tokens_total',
    help: 'Model tokens by agent, backend and kind (input, output).',
    labelNames: ['agent', 'backend', 'kind'] as const,
    registers: [this.registry],
  });

  readonly modelCost = new Counter({
    name: 'model_cost_usd_total',
    help: 'Estimated model cost in US dollars (MODEL_PRICES) by model.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  readonly modelWaits = new Histogram({
    name: 'model_pacing_wait_seconds',
    help: 'Time model calls waited for the provider concurrency / requests-per-minute limits.',
    labelNames: ['provider'] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });

  readonly toolCalls = new Counter({
    name: 'agent_tool_calls_total',
    help: 'Tool calls by agents, by tool and outcome (ok, error).',
    labelNames: ['tool', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly guardrailTrips = new Counter({
    name: 'guardrail_trips_total',
    help: 'Guardrails that stopped input or output, by guardrail.',
    labelNames: ['guardrail'] as const,
    registers: [this.registry],
  });

  readonly slaBreaches = new Counter({
    name: 'sla_breaches_total',
    help: 'SLA breaches newly found by the scheduled check, by metric and priority.',
    labelNames: ['metric', 'priority'] as const,
    registers: [this.registry],
  });

  readonly slaOpenBreaches = new Gauge({
    name: 'sla_open_breaches',
    help: 'Open tickets past an SLA target at the last check.',
    registers: [this.registry],
  });

  /** Set by the process's ticket queue (src/queue): job counts by state, read when /metrics is scraped. */
  queueDepthSampler: (() => Promise<Record<string, number>>) | undefined;

  readonly queueDepth = new Gauge({
    name: 'queue_jobs',
    help: 'Ticket jobs in the queue by state (waiting, active, delayed, failed), sampled at scrape time.',
    labelNames: ['state'] as const,
    registers: [this.registry],
    // Redis unreachable: the last sample stays rather than failing the whole scrape.
    collect: async () => {
      const counts = await this.queueDepthSampler?.().catch(() => undefined);
      for (const [state, n] of Object.entries(counts ?? {})) this.queueDepth.set({ state }, n);
    },
  });

  readonly jobWait = new Histogram({
    name: 'queue_job_wait_seconds',
    help: 'From enqueue to a worker starting the job.',
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'queue_job_duration_seconds',
    help: 'Job run time in a worker, by outcome (completed, retried, dead_lettered).',
    labelNames: ['outcome'] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    // Process metrics (CPU, RSS, heap, event-loop lag, GC) under the usual names.
    collectDefaultMetrics({ register: this.registry });
  }
}
