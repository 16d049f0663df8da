import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai/error';
import { ModelTimeoutError } from '@openai/agents-core';

export type UpstreamFailure = { kind: 'timeout' | 'rate_limited' | 'server_error' | 'unreachable'; status?: number; message: string };

/**
 * Classifies an error thrown by a run: is it the model provider failing (after the client's own
 * retries) — the case DESIGN §2 falls back for — or something else (our bug, bad output)?
 */
export function upstreamFailure(err: unknown): UpstreamFailure | undefined {
  if (err instanceof APIConnectionTimeoutError || err instanceof ModelTimeoutError) {
    return { kind: 'timeout', message: err.message };
  }
  if (err instanceof APIConnectionError) return { kind: 'unreachable', message: err.message };
  if (err instanceof APIError) {
    const status = err.status;
    if (status === 429) return { kind: 'rate_limited', status, message: err.message };
    if (status !== undefined && status >= 500) return { kind: 'server_error', status, message: err.message };
    if (status === 408) return { kind: 'timeout', status, message: err.message };
  }
  if (err instanceof Error && err.name === 'AbortError') return { kind: 'timeout', message: err.message };
  return undefined;
}
