import {
  InputGuardrailTripwireTriggered,
  OutputGuardrailTripwireTriggered,
  type InputGuardrail,
  type OutputGuardrail,
  type JsonSchemaDefinition,
  type AgentInputItem,
  type ModelRequest,
} from '@openai/agents-core';
import { parseJsonInput, toolResults } from '../models/conversation.js';
import type { Verdict } from './detectors/types.js';
import type { GuardrailTrip } from './guardrail-trip.js';
import type { GuardrailsService, ReplyCheck } from './guardrails.service.js';

/** The run's input as text (the agents here always get one JSON user message). */
function inputText(input: string | unknown[]): string {
  if (typeof input === 'string') return input;
  for (const item of input as { role?: string; content?: unknown }[]) {
    if (item.role !== 'user') continue;
    if (typeof item.content === 'string') return item.content;
    if (Array.isArray(item.content)) return item.content.map((p: { text?: unknown }) => (typeof p.text === 'string' ? p.text : '')).join('');
  }
  return '';
}

/**
 * The SDK input guardrail of the customer-facing agents: the same limits and prompt-injection
 * detectors as the HTTP pipes, over the customer text of the run input (JSON with
 * `inquiry_text`, or plain text). Blocking (not in parallel): the model never sees a tripped input.
 * A run stopped here throws InputGuardrailTripwireTriggered; AgentRunner answers 422.
 */
export function customerTextGuardrail(guardrails: GuardrailsService): InputGuardrail {
  return {
    name: 'customer_text',
    runInParallel: false,
    execute: async ({ input }) => {
      const raw = inputText(input as string | unknown[]);
      const parsed = parseJsonInput(raw);
      // The customer text: `inquiry_text` (triage, resolution), `query` (knowledge base), or the whole input.
      const field = ['inquiry_text', 'query', 'text'].find((k) => typeof parsed[k] === 'string');
      const text = field ? (parsed[field] as string) : raw;
      const inspected = await guardrails.inspect(text, field ?? 'input');
      return { tripwireTriggered: inspected.trip !== undefined, outputInfo: inspected.trip ?? null };
    },
  };
}

/** The trip behind an SDK input-guardrail error (undefined for any other error). */
export function inputTripOf(err: unknown): GuardrailTrip | undefined {
  if (!(err instanceof InputGuardrailTripwireTriggered)) return undefined;
  return (err.result.output.outputInfo as GuardrailTrip | null) ?? undefined;
}

/** The reply-policy verdict behind an SDK output-guardrail error (undefined for any other error). */
export function outputVerdictOf(err: unknown): Verdict | undefined {
  if (!(err instanceof OutputGuardrailTripwireTriggered)) return undefined;
  return (err.result.output.outputInfo as Verdict | null) ?? undefined;
}

/**
 * The SDK output guardrail of the resolution agent: the reply policy over the final answer,
 * with the articles the run's knowledge-base tool calls actually returned (read from the run's
 * items, not from anything the model says).
 */
export function replyPolicyGuardrail<C>(
  guardrails: GuardrailsService,
  read: (output: unknown, toolOutputs: { name: string; output: string }[], context: C) => ReplyCheck,
): OutputGuardrail<JsonSchemaDefinition, C> {
  return {
    name: 'reply_policy',
    execute: async ({ agentOutput, details, context }) => {
      // The run's own items (model output, tool calls and their results), in protocol form.
      const toolOutputs = toolResults({ input: (details?.output ?? []) as AgentInputItem[] } as ModelRequest);
      const verdict = guardrails.checkReply(read(agentOutput, toolOutputs, context.context));
      return { tripwireTriggered: verdict?.tripped === true, outputInfo: verdict ?? null };
    },
  };
}
