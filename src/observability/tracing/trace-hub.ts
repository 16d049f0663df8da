import { setTraceProcessors, setTracingDisabled, type Span, type Trace, type TracingProcessor } from '@openai/agents-core';

/**
 * The one processor registered with the SDK's global trace provider, for the whole process.
 *
 * The SDK keeps processors globally, and at import it registers a console exporter that would
 * print every span to stdout: `install()` replaces that list with this hub, once. Each Nest
 * application (one in production; several in one Jest worker) adds its own sink, and the hub hands
 * a trace's events to the sink of the application whose AgentRunner started it (by trace id,
 * bound by TracedRunner), or to the latest sink for traces started elsewhere.
 */
class TraceHub implements TracingProcessor {
  private readonly sinks = new Set<TracingProcessor>();
  private readonly owners = new Map<string, TracingProcessor>();
  private installed = false;

  install(): void {
    if (this.installed) return;
    this.installed = true;
    setTraceProcessors([this]);
    // Tracing is always on: our processors keep spans in-house (the SDK turns it off under NODE_ENV=test).
    setTracingDisabled(false);
  }

  add(sink: TracingProcessor): void {
    this.install();
    this.sinks.add(sink);
  }

  remove(sink: TracingProcessor): void {
    this.sinks.delete(sink);
    for (const [traceId, owner] of this.owners) if (owner === sink) this.owners.delete(traceId);
  }

  /** The trace `traceId` belongs to `sink` until it ends. */
  bind(traceId: string, sink: TracingProcessor): void {
    // A bound trace that never ended (it cannot, but be safe): drop the oldest beyond a bound.
    if (this.owners.size >= 10_000) this.owners.delete(this.owners.keys().next().value as string);
    this.owners.set(traceId, sink);
  }

  private sinkOf(traceId: string): TracingProcessor | undefined {
    const owner = this.owners.get(traceId);
    if (owner && this.sinks.has(owner)) return owner;
    let latest: TracingProcessor | undefined;
    for (const sink of this.sinks) latest = sink;
    return latest;
  }

  async onTraceStart(trace: Trace): Promise<void> {
    await this.sinkOf(trace.traceId)?.onTraceStart(trace);
  }

  async onTraceEnd(trace: Trace): Promise<void> {
    const sink = this.sinkOf(trace.traceId);
    this.owners.delete(trace.traceId);
    await sink?.onTraceEnd(trace);
  }

  async onSpanStart(span: Span<any>): Promise<void> {
    await this.sinkOf(span.traceId)?.onSpanStart(span);
  }

  async onSpanEnd(span: Span<any>): Promise<void> {
    await this.sinkOf(span.traceId)?.onSpanEnd(span);
  }

  /** Sinks are shut down by their application (TracingService), not by the SDK's exit hooks. */
  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {
    await Promise.all([...this.sinks].map((s) => s.forceFlush()));
  }
}

export const traceHub = new TraceHub();
