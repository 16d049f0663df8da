import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a log line, a span or a metric needs to know about the work it belongs to, carried
 * through awaits: the HTTP request (or message, or job) id and the ticket being worked on.
 */
export interface RunContext {
  requestId?: string;
  ticketId?: string;
  /** The SDK trace of the agent run in progress (set by the trace processor). */
  traceId?: string;
}

const storage = new AsyncLocalStorage<RunContext>();

/** Runs `fn` with `extra` merged over the current context. */
export function withRunContext<T>(extra: RunContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...extra }, fn);
}

export function runContext(): RunContext | undefined {
  return storage.getStore();
}
