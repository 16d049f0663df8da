import { HttpException, Logger } from '@nestjs/common';
import { ProblemException, problem, type ProblemDetails } from '../common/problem-details.js';
import { SseChannel } from './sse-channel.js';
import { errorEvent, type StreamEvent } from './stream-events.js';
import { withStreamSink } from './stream-sink.js';

/** Seconds of silence after which a comment line is sent (proxies commonly cut idle streams at 30-60 s). */
export const HEARTBEAT_MS = 15_000;

export const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // nginx and similar proxies buffer responses unless told not to.
  'x-accel-buffering': 'no',
};

const logger = new Logger('Streaming');

/** An error that reached the stream after it began, as the problem details the client gets in `event: error`. */
export function problemOf(err: unknown): ProblemDetails {
  if (err instanceof ProblemException) return err.problem;
  if (err instanceof HttpException) {
    const response = err.getResponse();
    const detail = typeof response === 'object' && response && 'message' in response ? String((response as { message: unknown }).message) : err.message;
    return problem(err.getStatus(), 'http-error', detail);
  }
  logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return problem(500, 'internal-error', 'An unexpected error occurred. It has been logged.');
}

/** How a finished run ends the stream; throwing before the stream began answers with an ordinary error response. */
export type Finish<T> = (value: T) => { event: StreamEvent; headers?: Record<string, string> };

export interface StreamRunOptions<T> {
  /** The agents whose runs are streamed (the route's own). */
  agents: readonly string[];
  redact?: (text: string) => string;
  heartbeatMs?: number;
  work: () => Promise<T>;
  finish: Finish<T>;
}

/**
 * Runs `work` with an SSE channel as the stream sink and answers with a `text/event-stream`
 * Response (Nest sends it as it is produced). The headers wait for the first event, the first
 * heartbeat or the end of the run: an error before then (a 503 with Retry-After, a 422) is an
 * ordinary problem-details response; after it, the stream ends with `event: error`.
 * A client that goes away stops the stream, not the run: it finishes and is stored as usual.
 */
export async function streamRun<T>(options: StreamRunOptions<T>): Promise<Response> {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const channel = new SseChannel(new Set(options.agents), options.redact);
  const run = withStreamSink(channel, options.work);
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    channel.firstEvent.then(() => 'event' as const),
    run.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    new Promise<'beat'>((resolve) => (timer = setTimeout(() => resolve('beat'), heartbeatMs))),
  ]);
  clearTimeout(timer);
  if (first === 'done' && !channel.hasEvents) {
    // Nothing was streamed: an error is thrown to the exception filter, a value is one `result` event.
    const { event, headers } = options.finish(await run);
    return response(channel, Promise.resolve(event), heartbeatMs, headers);
  }
  // finish may refuse the value too (a stored 422): like a failed run, that ends the stream with
  // `event: error` (a two-argument then() would leave its throw unhandled and the stream open).
  const last = run.then((value) => options.finish(value).event).catch((err: unknown) => errorEvent(problemOf(err)));
  return response(channel, last, heartbeatMs, {}, first === 'beat');
}

function response(channel: SseChannel, last: Promise<StreamEvent>, heartbeatMs: number, headers: Record<string, string> = {}, greet = false): Response {
  const frames = channel.frames(last, heartbeatMs, { greet });
  const encoder = new TextEncoder();
  // A pull source (not ReadableStream.from): one frame per read, and cancel() ends the generator.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await frames.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      // The client went away: drop what is queued and stop waiting at once.
      channel.close();
      await frames.return(undefined);
    },
  });
  return new Response(body, { status: 200, headers: { ...SSE_HEADERS, ...headers } });
}
