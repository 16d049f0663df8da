import { AsyncLocalStorage } from 'node:async_hooks';
import type { StreamEvent } from './stream-events.js';

/**
 * Where AgentRunner forwards the events of a streamed run. Carried in AsyncLocalStorage, so the
 * services between the controller and AgentRunner (ResolutionAgent, TicketWorkflow) stream
 * without a parameter for it.
 */
export interface StreamSink {
  /** Whether runs of this agent go to the stream: the route's own agents, not a side job that happens to run in the same context. */
  streams(agentName: string): boolean;
  emit(event: StreamEvent): void;
}

const storage = new AsyncLocalStorage<StreamSink>();

export function withStreamSink<T>(sink: StreamSink, fn: () => T): T {
  return storage.run(sink, fn);
}

export function currentStreamSink(): StreamSink | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` with no sink: the SDK run itself (guardrails, tools, agents used as tools, a
 * classifier agent inside a guardrail) must not stream into the caller's response.
 */
export function outsideStreamSink<T>(fn: () => T): T {
  return storage.exit(fn);
}
