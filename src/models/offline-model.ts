import { randomBytes } from 'node:crypto';
import {
  Usage,
  type AgentOutputItem,
  type Model,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  type StreamEvent,
} from '@openai/agents-core';

/**
 * A deterministic policy: given the request the SDK built for this turn (instructions, input
 * items, tool results so far), return this turn's output items. It is NOT a language model.
 */
export type OfflinePolicy = (request: ModelRequest) => AgentOutputItem[];

// Ids must not repeat across processes: a stored run's tool calls are keyed by them (a resumed
// run's action executes once per call id), so a counter restarting at 1 after a restart would collide.
const PROCESS = randomBytes(6).toString('hex');
let seq = 0;
const nextId = (prefix: string) => `${prefix}_offline_${PROCESS}_${(++seq).toString(36)}`;

/** Helpers that build the same output items a real model returns. */
export const out = {
  functionCall(name: string, args: unknown): AgentOutputItem {
    const callId = nextId('call');
    return { type: 'function_call', name, callId, id: callId, status: 'completed', arguments: JSON.stringify(args) };
  },
  message(text: string): AgentOutputItem {
    return {
      type: 'message', role: 'assistant', status: 'completed', id: nextId('msg'),
      content: [{ type: 'output_text', text }],
    };
  },
  json(value: unknown): AgentOutputItem {
    return out.message(JSON.stringify(value));
  },
};

/**
 * The offline backend as an SDK `Model`: the Runner drives it exactly as it drives OpenAI —
 * tool calls, forced tool choice, output-schema validation and max turns all apply.
 */
export class OfflineModel implements Model {
  constructor(
    readonly name: string,
    private readonly policy: OfflinePolicy,
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    return { usage: new Usage({ requests: 1 }), output: this.policy(request), responseId: nextId('resp') };
  }

  /**
   * The same deterministic response as a stream, shaped like a real model's: `response_started`,
   * the text of each assistant message in word-boundary chunks (`output_text_delta`, with its
   * item id), then `response_done` carrying the whole response, which is what the Runner acts on.
   */
  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    const response = await this.getResponse(request);
    yield { type: 'response_started' };
    for (const item of response.output) {
      if (item.type !== 'message' || item.role !== 'assistant') continue;
      for (const part of item.content) {
        if (part.type !== 'output_text') continue;
        for (const delta of textChunks(part.text)) {
          request.signal?.throwIfAborted();
          yield { type: 'output_text_delta', delta, ...(item.id ? { itemId: item.id } : {}) };
        }
      }
    }
    yield {
      type: 'response_done',
      response: {
        id: response.responseId!,
        usage: { requests: 1, inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        output: response.output,
      },
    } as StreamEvent;
  }
}

/** Chunks of about `size` characters ending at a word boundary where there is one; joined they are `text`. */
export function textChunks(text: string, size = 24): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start) end = space + 1;
    }
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

/** Offline agents carry their `Model` instance; a request for a model by name is a wiring bug. */
export class OfflineModelProvider implements ModelProvider {
  getModel(modelName?: string): Model {
    throw new Error(`Offline backend: agent asked for model "${modelName}" by name; offline agents carry their own Model.`);
  }
}
