import type { RunStreamEvent } from '@openai/agents-core';
import type { ProblemDetails } from '../common/problem-details.js';

/**
 * The SSE vocabulary of a streamed run (docs/streaming.md). Small on purpose: clients switch on
 * `event`, and nothing in it depends on which model backend answered.
 */
export type StreamEventName = 'agent' | 'text' | 'output' | 'tool_call' | 'tool_output' | 'tool_approval' | 'handoff' | 'result' | 'error';

export interface StreamEvent {
  event: StreamEventName;
  data: Record<string, unknown>;
}

/** What the mapper remembers between events of one run: the agent now answering. */
export interface MapperState {
  agent?: string;
  /**
   * The agent has output guardrails: its text is customer-facing and may yet be withheld, so its
   * deltas and message output are never streamed (the checked answer arrives in `result`).
   */
  guarded: boolean;
}

/** A tool output longer than this is cut (the KB tool returns whole passages); `truncated` says so. */
export const MAX_TOOL_OUTPUT_CHARS = 16_384;

/** JSON text becomes its value (tool arguments, structured outputs); anything else stays a string. */
export function parseMaybeJson(text: string): unknown {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Maps one SDK stream event to the SSE events the client sees (none, one, or a few) and the next
 * state. Pure: no I/O, so the rules below are unit-tested directly.
 */
export function mapRunEvent(event: RunStreamEvent, state: MapperState, backend: string): { events: StreamEvent[]; state: MapperState } {
  switch (event.type) {
    case 'agent_updated_stream_event': {
      const next = { agent: event.agent.name, guarded: (event.agent.outputGuardrails?.length ?? 0) > 0 };
      return { events: [{ event: 'agent', data: { agent: next.agent, backend } }], state: next };
    }
    case 'raw_model_stream_event': {
      const data = event.data;
      if (data.type !== 'output_text_delta' || state.guarded || !data.delta) return { events: [], state };
      return { events: [{ event: 'text', data: { agent: state.agent, delta: data.delta } }], state };
    }
    case 'run_item_stream_event':
      return { events: mapRunItem(event, state), state };
    default:
      return { events: [], state };
  }
}

function mapRunItem(event: Extract<RunStreamEvent, { type: 'run_item_stream_event' }>, state: MapperState): StreamEvent[] {
  const item = event.item;
  const agent = state.agent;
  switch (item.type) {
    case 'tool_call_item': {
      const raw = item.rawItem;
      if (raw.type !== 'function_call') return [{ event: 'tool_call', data: { agent, name: raw.type, call_id: null, arguments: null } }];
      return [{ event: 'tool_call', data: { agent, name: raw.name, call_id: raw.callId, arguments: parseMaybeJson(raw.arguments) } }];
    }
    case 'tool_call_output_item': {
      const raw = item.rawItem;
      const text = typeof item.output === 'string' ? item.output : JSON.stringify(item.output ?? null);
      const truncated = text.length > MAX_TOOL_OUTPUT_CHARS;
      return [
        {
          event: 'tool_output',
          data: {
            agent,
            name: 'name' in raw ? raw.name : raw.type,
            call_id: 'callId' in raw ? raw.callId : null,
            output: truncated ? text.slice(0, MAX_TOOL_OUTPUT_CHARS) : parseMaybeJson(text),
            truncated,
          },
        },
      ];
    }
    case 'tool_approval_item': {
      const raw = item.rawItem;
      const name = item.toolName ?? ('name' in raw ? raw.name : raw.type);
      const args = raw.type === 'function_call' ? parseMaybeJson(raw.arguments) : null;
      return [{ event: 'tool_approval', data: { agent, name, call_id: 'callId' in raw ? raw.callId : null, arguments: args } }];
    }
    case 'message_output_item':
      // A guarded agent's message is its proposed answer, before the output guardrails decided.
      if (state.guarded) return [];
      return [{ event: 'output', data: { agent, output: parseMaybeJson(item.content) } }];
    case 'handoff_output_item':
      return [{ event: 'handoff', data: { agent: item.sourceAgent.name, to: item.targetAgent.name } }];
    default:
      return [];
  }
}

/** The `result` event: the body the non-streaming route answers with, unchanged. */
export function resultEvent(body: unknown): StreamEvent {
  return { event: 'result', data: body as Record<string, unknown> };
}

export function errorEvent(problem: ProblemDetails): StreamEvent {
  return { event: 'error', data: problem };
}

/** One SSE frame. `data` is one line of JSON (JSON.stringify never emits a raw newline). */
export function formatSse(id: number, event: StreamEvent): string {
  return `id: ${id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** A comment line: keeps proxies and clients from timing out an idle stream; ignored by SSE parsers. */
export const HEARTBEAT_FRAME = ': keep-alive\n\n';
