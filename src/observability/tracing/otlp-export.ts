import { SpanKind, SpanStatusCode, TraceFlags, type HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { MappedSpan } from './span-mapping.js';

/**
 * OTLP/HTTP (JSON) export of mapped spans. Imported lazily by TracingService, only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, so start-up without it never loads OpenTelemetry.
 *
 * The SDK already decided ids, parents and times, so spans are handed to the OpenTelemetry
 * BatchSpanProcessor as finished ReadableSpans (no OpenTelemetry tracer or context is involved).
 * The processor's queue is bounded (spans beyond it are dropped, never blocking a run) and
 * batches go out in the background.
 */
export interface OtlpExportOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion?: string;
  /** Called when a batch could not be delivered (receiver down, refused): the caller decides how loud. */
  onExportError: (error: Error, spans: number) => void;
  /** Batching: defaults suit production (5 s delay); tests shorten the delay. */
  scheduledDelayMillis?: number;
  maxQueueSize?: number;
}

export interface OtlpExport {
  export(span: MappedSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** `<endpoint>/v1/traces`, as the specification derives the traces URL from the base endpoint. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

export function createOtlpExport(options: OtlpExportOptions): OtlpExport {
  const otlp = new OTLPTraceExporter({ url: tracesUrl(options.endpoint), headers: options.headers, timeoutMillis: 10_000 });
  // The exporter reports failures through a callback that BatchSpanProcessor turns into a global
  // error (silent by default): watch them here instead.
  const exporter: SpanExporter = {
    export: (spans, done) =>
      otlp.export(spans, (result) => {
        if (result.code !== 0) options.onExportError(result.error ?? new Error('export failed'), spans.length);
        done(result);
      }),
    shutdown: () => otlp.shutdown(),
    forceFlush: () => otlp.forceFlush(),
  };
  const processor = new BatchSpanProcessor({
    exporter,
    maxQueueSize: options.maxQueueSize ?? 2_048,
    maxExportBatchSize: 512,
    scheduledDelayMillis: options.scheduledDelayMillis ?? 5_000,
    exportTimeoutMillis: 15_000,
  });
  const resource = resourceFromAttributes({
    'service.name': options.serviceName,
    ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
  });
  const scope = { name: 'support-agents', ...(options.serviceVersion ? { version: options.serviceVersion } : {}) };

  return {
    export(span) {
      const startTime = hr(span.startMs);
      const endTime = hr(span.endMs);
      const readable: ReadableSpan = {
        name: span.name,
        kind: span.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL,
        spanContext: () => ({ traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED }),
        ...(span.parentSpanId ? { parentSpanContext: { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: TraceFlags.SAMPLED } } : {}),
        startTime,
        endTime,
        duration: hr(span.endMs - span.startMs),
        status:
          span.status.code === 'error'
            ? { code: SpanStatusCode.ERROR, ...(span.status.message ? { message: span.status.message } : {}) }
            : { code: span.status.code === 'ok' ? SpanStatusCode.OK : SpanStatusCode.UNSET },
        attributes: span.attributes,
        links: [],
        events: [],
        ended: true,
        resource,
        instrumentationScope: scope,
        droppedAttributesCount: 0,
        droppedEventsCount: 0,
        droppedLinksCount: 0,
      };
      processor.onEnd(readable);
    },
    // A failed batch rejects the flush; the failure was already reported through onExportError.
    forceFlush: () => processor.forceFlush().catch(() => undefined),
    shutdown: () => processor.shutdown().catch(() => undefined),
  };
}
