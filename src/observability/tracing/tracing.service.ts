import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  BatchTraceProcessor,
  Runner,
  generateTraceId,
  type Agent,
  type AgentInputItem,
  type ModelProvider,
  type NonStreamRunOptions,
  type RunResult,
  type RunState,
  type StreamRunOptions,
  type StreamedRunResult,
  type TracingProcessor,
} from '@openai/agents-core';
import { AppConfig, type Backend } from '../../config/configuration.js';
import { Metrics } from '../../metrics/metrics.js';
import { runContext, withRunContext } from '../run-context.js';
import { openAIExportAllowed, openAIIngestUrl } from './openai-export.js';
import type { OtlpExport } from './otlp-export.js';
import { parseOtlpHeaders } from './otlp-headers.js';
import { TRACE_METADATA } from './span-mapping.js';
import { SpanSink } from './span-sink.js';
import { traceHub } from './trace-hub.js';

/** How often a failing OTLP receiver is logged (the spans keep being dropped quietly in between). */
const EXPORT_ERROR_LOG_INTERVAL_MS = 60_000;

/**
 * A Runner for exactly one run: the trace id is chosen up front, so the run's log lines carry it
 * (`runContext().traceId`) and its spans reach the application that started it.
 */
class TracedRunner extends Runner {
  constructor(
    config: ConstructorParameters<typeof Runner>[0] & { traceId: string },
    private readonly sink: TracingProcessor,
  ) {
    super(config);
  }

  override run<TAgent extends Agent<any, any>, TContext = undefined>(agent: TAgent, input: string | AgentInputItem[] | RunState<TContext, TAgent>, options?: NonStreamRunOptions<TContext, TAgent>): Promise<RunResult<TContext, TAgent>>;
  override run<TAgent extends Agent<any, any>, TContext = undefined>(agent: TAgent, input: string | AgentInputItem[] | RunState<TContext, TAgent>, options?: StreamRunOptions<TContext, TAgent>): Promise<StreamedRunResult<TContext, TAgent>>;
  override run(agent: Agent<any, any>, input: any, options?: any): Promise<any> {
    const traceId = this.config.traceId!;
    traceHub.bind(traceId, this.sink);
    return withRunContext({ traceId }, () => super.run(agent, input, options));
  }
}

/**
 * Tracing of agent runs, always on and kept in-house: the SDK's spans become metrics, log lines
 * and (with OTEL_EXPORTER_OTLP_ENDPOINT) OpenTelemetry spans; they go to OpenAI's trace store
 * only with the OpenAI backend, a key and OPENAI_TRACING=true. See docs/tracing.md.
 */
@Injectable()
export class TracingService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Tracing');
  private sink?: SpanSink;
  private otlp?: OtlpExport;
  private openai?: TracingProcessor;
  private openaiLoading?: Promise<void>;
  private lastExportError = 0;
  private failedSpans = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  async onModuleInit(): Promise<void> {
    const env = this.config.env;
    if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
      // Loaded only when configured: OpenTelemetry is not part of a plain start-up.
      const { createOtlpExport } = await import('./otlp-export.js');
      this.otlp = createOtlpExport({
        endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
        headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
        serviceName: env.OTEL_SERVICE_NAME,
        serviceVersion: process.env.npm_package_version,
        onExportError: (error, spans) => this.exportFailed(error, spans),
      });
    }
    this.sink = new SpanSink({
      metrics: this.metrics,
      log: this.logger,
      includeSensitiveData: env.TRACE_INCLUDE_SENSITIVE_DATA,
      otlp: this.otlp,
      openai: () => this.openai,
    });
    traceHub.add(this.sink);
    if (this.otlp) this.logger.log(`Agent traces go to ${env.OTEL_EXPORTER_OTLP_ENDPOINT} (OTLP/HTTP)${env.TRACE_INCLUDE_SENSITIVE_DATA ? ', with redacted inputs and outputs' : ''}.`);
  }

  /** Where traces go besides metrics and logs ('otlp', 'openai'), for health and tests. */
  get destinations(): string[] {
    return [...(this.otlp ? ['otlp'] : []), ...(this.openai ? ['openai'] : [])];
  }

  /** Pending spans go out before the process ends (receiver permitting; bounded by the exporter's timeouts). */
  async onApplicationShutdown(): Promise<void> {
    if (!this.sink) return;
    traceHub.remove(this.sink);
    await this.openaiLoading?.catch(() => undefined);
    await this.sink.shutdown(5_000);
  }

  /** Sends what is queued now (tests, and callers that must not lose spans). */
  async flush(): Promise<void> {
    await this.sink?.forceFlush();
  }

  /**
   * A Runner for one run on `backend`, linked to the ticket in the run context (group id and
   * trace metadata) and to this application's trace processor.
   */
  async runner(backend: Backend, modelProvider: ModelProvider, workflowName: string): Promise<Runner> {
    const env = this.config.env;
    if (backend === 'openai' && openAIExportAllowed(env, backend)) await this.loadOpenAIExport();
    const ticketId = runContext()?.ticketId;
    const metadata: Record<string, string> = { [TRACE_METADATA.backend]: backend };
    if (ticketId) metadata[TRACE_METADATA.ticketId] = ticketId;
    // The offline backend answering a configured OpenAI backend is the fallback (degraded) run.
    if (backend === 'offline' && this.config.backend === 'openai') metadata[TRACE_METADATA.degraded] = 'true';
    if (!this.sink) throw new Error('TracingService used before module init');
    return new TracedRunner(
      {
        modelProvider,
        tracingDisabled: false,
        traceIncludeSensitiveData: env.TRACE_INCLUDE_SENSITIVE_DATA,
        workflowName,
        traceId: generateTraceId(),
        ...(ticketId ? { groupId: ticketId } : {}),
        traceMetadata: metadata,
      },
      this.sink,
    );
  }

  /** The SDK's OpenAI exporter, loaded with the OpenAI side of the SDK (not at start-up). */
  private loadOpenAIExport(): Promise<void> {
    this.openaiLoading ??= (async () => {
      const { OpenAITracingExporter } = await import('@openai/agents-openai');
      const env = this.config.env;
      const exporter = new OpenAITracingExporter({ apiKey: env.OPENAI_API_KEY, endpoint: openAIIngestUrl(env.OPENAI_BASE_URL) });
      this.openai = new BatchTraceProcessor(exporter, { maxQueueSize: 2_000 });
      this.logger.log(`Agent traces also go to OpenAI (${openAIIngestUrl(env.OPENAI_BASE_URL)}): OPENAI_TRACING=true.`);
    })();
    return this.openaiLoading;
  }

  /** A receiver that is down must not flood the log: one line a minute with the count. */
  private exportFailed(error: Error, spans: number): void {
    this.failedSpans += spans;
    const now = Date.now();
    if (now - this.lastExportError < EXPORT_ERROR_LOG_INTERVAL_MS) return;
    this.lastExportError = now;
    this.logger.warn(`OTLP trace export to ${this.config.env.OTEL_EXPORTER_OTLP_ENDPOINT} failed (${error.message}); ${this.failedSpans} span(s) dropped since the last report.`);
    this.failedSpans = 0;
  }
}
