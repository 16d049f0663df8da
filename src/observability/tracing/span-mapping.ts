import { createHash } from 'node:crypto';
import { redactDeep, redactPii } from '../../guardrails/detectors/index.js';

/**
 * How an Agents SDK span becomes an OpenTelemetry span: name, kind, attributes (OpenTelemetry
 * GenAI semantic conventions where they apply, `support.*` for the rest), status and ids.
 * Pure: no SDK, no OpenTelemetry import (that is loaded only when an endpoint is set).
 */

/** The part of an SDK span (`Span` from @openai/agents-core) the mapping reads. */
export interface SdkSpanLike {
  traceId: string;
  spanId: string;
  parentId: string | null;
  spanData: { type: string; [key: string]: unknown };
  startedAt: string | null;
  endedAt: string | null;
  error: { message: string; data?: Record<string, unknown> } | null;
  traceMetadata?: Record<string, unknown>;
}

export type AttributeValue = string | number | boolean | string[];

export interface MappedSpan {
  name: string;
  /** OpenTelemetry span kind: model calls leave the process, the rest is internal work. */
  kind: 'internal' | 'client';
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttributeValue>;
  status: { code: 'ok' | 'error' | 'unset'; message?: string };
}

export interface MappingOptions {
  /** TRACE_INCLUDE_SENSITIVE_DATA: inputs, outputs and messages (always PII-redacted) go along. */
  includeSensitiveData: boolean;
}

/** What the trace metadata carries (set per run by TracedRunner). */
export const TRACE_METADATA = { ticketId: 'ticket_id', backend: 'backend', degraded: 'degraded' } as const;

/** Longest text attribute exported (collectors refuse or truncate huge attributes anyway). */
const MAX_TEXT = 8_192;

/**
 * SDK ids are `trace_<32 hex>` and `span_<24 hex>`; OpenTelemetry wants 32 and 16 hex digits.
 * The hex part is kept (so the ids can be found in both worlds); any other id (a custom
 * generator) is hashed, so the mapping is stable and parents still match their children.
 */
export function otelTraceId(sdkTraceId: string): string {
  const m = /^trace_([0-9a-f]{32})$/.exec(sdkTraceId);
  return m ? m[1]! : hashHex(sdkTraceId, 32);
}

export function otelSpanId(sdkSpanId: string): string {
  const m = /^span_([0-9a-f]{16})[0-9a-f]*$/.exec(sdkSpanId);
  return m ? m[1]! : hashHex(sdkSpanId, 16);
}

function hashHex(value: string, length: number): string {
  const hex = createHash('sha256').update(value).digest('hex').slice(0, length);
  // All zeros is an invalid id in OpenTelemetry; sha256 prefixes of that are practically impossible, but be exact.
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}

/** Personal data out of a text, then bounded in length. */
export function safeText(text: string): string {
  // The whole text is redacted before it is cut: a cut first could split a card number in two.
  const redacted = redactPii(text).text;
  return redacted.length > MAX_TEXT ? `${redacted.slice(0, MAX_TEXT)}…` : redacted;
}

/** A JSON value with every string PII-redacted, as bounded JSON text. */
export function safeJson(value: unknown): string {
  if (typeof value === 'string') return safeText(value);
  const json = JSON.stringify(redactDeep(value)) ?? 'null';
  return json.length > MAX_TEXT ? `${json.slice(0, MAX_TEXT)}…` : json;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Token usage of a generation (Chat Completions) or response (Responses API) span, if it has any. */
export function spanUsage(data: SdkSpanLike['spanData']): { input: number; output: number } | undefined {
  const usage = (data.type === 'response' ? (data._response as { usage?: unknown } | undefined)?.usage : data.usage) as Record<string, unknown> | undefined;
  if (!usage || typeof usage !== 'object') return undefined;
  const input = num(usage.input_tokens) ?? num(usage.prompt_tokens) ?? num(usage.inputTokens);
  const output = num(usage.output_tokens) ?? num(usage.completion_tokens) ?? num(usage.outputTokens);
  if (input === undefined && output === undefined) return undefined;
  return { input: input ?? 0, output: output ?? 0 };
}

function isoMs(iso: string | null, fallback: number): number {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? ms : fallback;
}

/** The SDK span as an OpenTelemetry span description. */
export function mapSpan(span: SdkSpanLike, options: MappingOptions): MappedSpan {
  const data = span.spanData;
  const sensitive = options.includeSensitiveData;
  const attrs: Record<string, AttributeValue> = { 'support.span.type': data.type, 'openai.agents.span_id': span.spanId, 'openai.agents.trace_id': span.traceId };
  const meta = span.traceMetadata ?? {};
  const ticketId = str(meta[TRACE_METADATA.ticketId]);
  if (ticketId) attrs['support.ticket_id'] = ticketId;
  const backend = str(meta[TRACE_METADATA.backend]);
  if (backend) attrs['support.backend'] = backend;
  let name: string = data.type;
  let kind: MappedSpan['kind'] = 'internal';

  switch (data.type) {
    case 'agent': {
      const agent = str(data.name) ?? 'agent';
      name = `invoke_agent ${agent}`;
      attrs['gen_ai.operation.name'] = 'invoke_agent';
      attrs['gen_ai.agent.name'] = agent;
      if (Array.isArray(data.tools)) attrs['support.agent.tools'] = (data.tools as unknown[]).filter((t): t is string => typeof t === 'string');
      if (Array.isArray(data.handoffs)) attrs['support.agent.handoffs'] = (data.handoffs as unknown[]).filter((t): t is string => typeof t === 'string');
      if (str(data.output_type)) attrs['support.agent.output_type'] = data.output_type as string;
      break;
    }
    case 'function': {
      const tool = str(data.name) ?? 'tool';
      name = `execute_tool ${tool}`;
      attrs['gen_ai.operation.name'] = 'execute_tool';
      attrs['gen_ai.tool.name'] = tool;
      attrs['gen_ai.tool.type'] = 'function';
      if (sensitive && str(data.input)) attrs['gen_ai.tool.call.arguments'] = safeText(data.input as string);
      if (sensitive && str(data.output)) attrs['gen_ai.tool.call.result'] = safeText(data.output as string);
      break;
    }
    case 'generation':
    case 'response': {
      kind = 'client';
      const response = (data._response ?? {}) as Record<string, unknown>;
      const model = str(data.model) ?? str(response.model);
      name = model ? `chat ${model}` : 'chat';
      attrs['gen_ai.operation.name'] = 'chat';
      attrs['gen_ai.provider.name'] = backend === 'offline' ? 'support_agents.offline' : 'openai';
      if (model) attrs['gen_ai.request.model'] = model;
      if (str(response.model)) attrs['gen_ai.response.model'] = response.model as string;
      const responseId = str(data.response_id) ?? str(response.id);
      if (responseId) attrs['gen_ai.response.id'] = responseId;
      const usage = spanUsage(data);
      if (usage) {
        attrs['gen_ai.usage.input_tokens'] = usage.input;
        attrs['gen_ai.usage.output_tokens'] = usage.output;
      }
      if (sensitive) {
        const input = data.input ?? data._input;
        const output = data.output ?? response.output;
        if (input !== undefined) attrs['gen_ai.input.messages'] = safeJson(input);
        if (output !== undefined) attrs['gen_ai.output.messages'] = safeJson(output);
      }
      break;
    }
    case 'guardrail': {
      const guardrail = str(data.name) ?? 'guardrail';
      name = `guardrail ${guardrail}`;
      attrs['support.guardrail.name'] = guardrail;
      attrs['support.guardrail.triggered'] = data.triggered === true;
      break;
    }
    case 'handoff': {
      name = `handoff ${str(data.from_agent) ?? '?'} -> ${str(data.to_agent) ?? '?'}`;
      if (str(data.from_agent)) attrs['support.handoff.from_agent'] = data.from_agent as string;
      if (str(data.to_agent)) attrs['support.handoff.to_agent'] = data.to_agent as string;
      break;
    }
    case 'task': {
      name = str(data.name) ?? 'task';
      attrs['gen_ai.operation.name'] = 'invoke_workflow';
      usageAttrs(attrs, data.usage);
      break;
    }
    case 'turn': {
      const agent = str(data.agent_name);
      name = `turn ${num(data.turn) ?? '?'}${agent ? ` ${agent}` : ''}`;
      if (agent) attrs['gen_ai.agent.name'] = agent;
      if (num(data.turn) !== undefined) attrs['support.turn'] = data.turn as number;
      usageAttrs(attrs, data.usage);
      break;
    }
    case 'custom': {
      name = str(data.name) ?? 'custom';
      // Arbitrary data: only with sensitive data allowed, and redacted.
      if (sensitive && data.data !== undefined) attrs['support.custom.data'] = safeJson(data.data);
      break;
    }
    default:
      // mcp_tools, speech, transcription…: the type is the name; their payloads are content.
      break;
  }

  const startMs = isoMs(span.startedAt, Date.now());
  const endMs = Math.max(startMs, isoMs(span.endedAt, startMs));
  const status: MappedSpan['status'] = span.error
    ? { code: 'error', message: safeText(span.error.message) }
    : { code: 'unset' };
  if (span.error && sensitive && span.error.data) attrs['support.error.data'] = safeJson(span.error.data);
  return {
    name,
    kind,
    traceId: otelTraceId(span.traceId),
    spanId: otelSpanId(span.spanId),
    ...(span.parentId ? { parentSpanId: otelSpanId(span.parentId) } : {}),
    startMs,
    endMs,
    attributes: attrs,
    status,
  };
}

/**
 * Task and turn usage go under `support.usage.*`, not `gen_ai.usage.*`: the model-call spans
 * below them already carry the same tokens, and GenAI-aware backends sum `gen_ai.usage.*`.
 */
function usageAttrs(attrs: Record<string, AttributeValue>, usage: unknown): void {
  if (!usage || typeof usage !== 'object') return;
  const u = usage as Record<string, unknown>;
  if (num(u.input_tokens) !== undefined) attrs['support.usage.input_tokens'] = u.input_tokens as number;
  if (num(u.output_tokens) !== undefined) attrs['support.usage.output_tokens'] = u.output_tokens as number;
  if (num(u.requests) !== undefined) attrs['support.usage.requests'] = u.requests as number;
}

/** The outcome label of a finished agent span (agent_run_duration_seconds). */
export function agentOutcome(span: Pick<SdkSpanLike, 'error' | 'traceMetadata'>): 'ok' | 'error' | 'guardrail' | 'degraded' {
  // The SDK marks the agent span of a stopped run with "Guardrail tripwire triggered".
  if (span.error && /guardrail/i.test(span.error.message)) return 'guardrail';
  if (span.error) return 'error';
  return span.traceMetadata?.[TRACE_METADATA.degraded] === 'true' ? 'degraded' : 'ok';
}
