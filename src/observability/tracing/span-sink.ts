import type { Span, Trace, TracingProcessor } from '@openai/agents-core';
import type { Metrics } from '../../metrics/metrics.js';
import type { OtlpExport } from './otlp-export.js';
import { TRACE_METADATA, agentOutcome, mapSpan, safeText, spanUsage, type SdkSpanLike } from './span-mapping.js';

/** Where a finished span's log line goes (Nest's Logger, or pino through it). */
export interface SpanLog {
  debug(message: object): void;
  log(message: object): void;
}

export interface SpanSinkOptions {
  metrics: Metrics;
  log: SpanLog;
  includeSensitiveData: boolean;
  /** OTLP/HTTP export, when an endpoint is configured. */
  otlp?: OtlpExport;
  /** The SDK's OpenAI trace export, only when a key is set and OPENAI_TRACING allows it. */
  openai?: () => TracingProcessor | undefined;
}

const seconds = (span: SdkSpanLike): number => {
  const start = span.startedAt ? Date.parse(span.startedAt) : NaN;
  const end = span.endedAt ? Date.parse(span.endedAt) : NaN;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) / 1000 : 0;
};

/**
 * One application's trace processor: every finished span becomes metrics (agent runs, tokens,
 * tool calls, guardrail trips), a log line for agent, tool and guardrail spans (names, duration,
 * outcome, trace and ticket id; never content), an OpenTelemetry span when OTLP export is on,
 * and goes to OpenAI's traces when that is allowed. Nothing here may fail or slow a run: every
 * step is synchronous bookkeeping or a hand-off to a bounded background queue, and errors are
 * swallowed (with a log line).
 */
export class SpanSink implements TracingProcessor {
  constructor(private readonly options: SpanSinkOptions) {}

  async onTraceStart(trace: Trace): Promise<void> {
    await this.options.openai?.()?.onTraceStart(trace);
  }

  async onTraceEnd(trace: Trace): Promise<void> {
    await this.options.openai?.()?.onTraceEnd(trace);
  }

  async onSpanStart(span: Span<any>): Promise<void> {
    await this.options.openai?.()?.onSpanStart(span);
  }

  async onSpanEnd(span: Span<any>): Promise<void> {
    try {
      this.record(span as unknown as SdkSpanLike);
    } catch (err) {
      this.options.log.log({ msg: 'could not record a trace span', error: err instanceof Error ? err.message : String(err) });
    }
    await this.options.openai?.()?.onSpanEnd(span);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([this.options.otlp?.forceFlush(), this.options.openai?.()?.forceFlush()]);
  }

  async shutdown(timeout?: number): Promise<void> {
    await Promise.all([this.options.otlp?.shutdown(), this.options.openai?.()?.shutdown(timeout)]);
  }

  private record(span: SdkSpanLike): void {
    const { metrics, log } = this.options;
    const data = span.spanData;
    const meta = span.traceMetadata ?? {};
    const backend = typeof meta[TRACE_METADATA.backend] === 'string' ? (meta[TRACE_METADATA.backend] as string) : 'unknown';
    const ticketId = typeof meta[TRACE_METADATA.ticketId] === 'string' ? (meta[TRACE_METADATA.ticketId] as string) : undefined;
    const duration = seconds(span);
    const line = (kind: string, name: string, outcome: string) => ({
      msg: `${kind} ${name} ${outcome} in ${Math.round(duration * 1000)} ms`,
      span: kind,
      name,
      outcome,
      duration_ms: Math.round(duration * 1000),
      trace_id: span.traceId,
      ...(ticketId ? { ticket_id: ticketId } : {}),
      // The SDK's error text can quote content (a tool's exception): redacted like everything else.
      ...(span.error ? { error: safeText(span.error.message) } : {}),
    });

    switch (data.type) {
      case 'agent': {
        const agent = typeof data.name === 'string' ? data.name : 'agent';
        const outcome = agentOutcome(span);
        metrics.agentRuns.observe({ agent, backend, outcome }, duration);
        (outcome === 'ok' ? log.debug : log.log).call(log, line('agent', agent, outcome));
        break;
      }
      case 'function': {
        const tool = typeof data.name === 'string' ? data.name : 'tool';
        const outcome = span.error ? 'error' : 'ok';
        metrics.toolCalls.inc({ tool, outcome });
        (outcome === 'ok' ? log.debug : log.log).call(log, line('tool', tool, outcome));
        break;
      }
      case 'guardrail': {
        const guardrail = typeof data.name === 'string' ? data.name : 'guardrail';
        if (data.triggered === true) metrics.guardrailTrips.inc({ guardrail });
        (data.triggered === true ? log.log : log.debug).call(log, line('guardrail', guardrail, data.triggered === true ? 'tripped' : 'passed'));
        break;
      }
      case 'turn': {
        // Tokens per model turn, whichever backend answered (model-call spans exist only for OpenAI).
        const agent = typeof data.agent_name === 'string' ? data.agent_name : 'agent';
        const usage = spanUsage(data);
        if (usage?.input) metrics.modelTokens.inc({ agent, backend, kind: 'input' }, usage.input);
        if (usage?.output) metrics.modelTokens.inc({ agent, backend, kind: 'output' }, usage.output);
        break;
      }
      default:
        break;
    }
    this.options.otlp?.export(mapSpan(span, { includeSensitiveData: this.options.includeSensitiveData }));
  }
}
