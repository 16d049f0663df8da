import { problem } from '../common/problem-details.js';
import { formatSse, HEARTBEAT_FRAME, type StreamEvent } from './stream-events.js';
import type { StreamSink } from './stream-sink.js';

/** Personal data in any string of an event replaced (the guardrails' redactor). */
export type Redactor = (text: string) => string;

/** Events whose content came from a model or a tool: redacted again before they leave. */
const REDACTED_EVENTS = new Set(['text', 'output', 'tool_call', 'tool_output', 'tool_approval']);

function redactDeep(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]));
  return value;
}

/**
 * One SSE response: AgentRunner emits into it (it is the StreamSink), the HTTP layer reads
 * `frames()`. Events wait in a queue until the client reads them; when the client goes away the
 * channel closes and later events are dropped (the run itself goes on).
 */
export class SseChannel implements StreamSink {
  private queue: StreamEvent[] = [];
  private wake?: () => void;
  private closed = false;
  private emitted = 0;
  private resolveFirst!: () => void;
  /** Resolves at the first event. */
  readonly firstEvent = new Promise<void>((resolve) => (this.resolveFirst = resolve));

  constructor(
    private readonly agents: ReadonlySet<string>,
    private readonly redact: Redactor = (text) => text,
  ) {}

  get hasEvents(): boolean {
    return this.emitted > 0;
  }

  streams(agentName: string): boolean {
    return !this.closed && this.agents.has(agentName);
  }

  emit(event: StreamEvent): void {
    if (this.closed) return;
    this.emitted++;
    this.queue.push(REDACTED_EVENTS.has(event.event) ? { event: event.event, data: redactDeep(event.data, this.redact) as StreamEvent['data'] } : event);
    this.resolveFirst();
    this.wake?.();
  }

  /** Stops the stream: later events are dropped, a waiting `frames()` wakes up and ends. */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.wake?.();
  }

  /**
   * The response body: queued events as they come, a heartbeat comment after `heartbeatMs` of
   * silence, and `last` (the `result` or `error` event) once it resolves; then the stream ends.
   */
  async *frames(last: Promise<StreamEvent>, heartbeatMs: number, { greet = false } = {}): AsyncGenerator<string> {
    // A stream opened because the run is slow says so at once (the headers go out with it).
    if (greet) yield HEARTBEAT_FRAME;
    let final: StreamEvent | undefined;
    // `last` should not reject (streamRun turns failures into `event: error`); if it does, the
    // stream still ends rather than sending heartbeats for ever.
    void last
      .catch((): StreamEvent => ({ event: 'error', data: problem(500, 'internal-error', 'An unexpected error occurred.') }))
      .then((event) => {
        final = event;
        this.wake?.();
      });
    let id = 0;
    try {
      for (;;) {
        while (this.queue.length) yield formatSse(++id, this.queue.shift()!);
        if (this.closed) return;
        if (final) {
          yield formatSse(++id, final);
          return;
        }
        let timer: NodeJS.Timeout | undefined;
        const woke = await new Promise<boolean>((resolve) => {
          this.wake = () => resolve(true);
          timer = setTimeout(() => resolve(false), heartbeatMs);
        });
        clearTimeout(timer);
        this.wake = undefined;
        if (!woke) yield HEARTBEAT_FRAME;
      }
    } finally {
      // Also reached when the client disconnects (the body is cancelled).
      this.closed = true;
      this.queue = [];
      this.wake = undefined;
    }
  }
}
