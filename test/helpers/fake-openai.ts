import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface FakeReply {
  status?: number;
  json?: unknown;
  /** Delay before answering (to provoke client timeouts). */
  delayMs?: number;
  headers?: Record<string, string>;
  /** Sent as Server-Sent Events (`data: <json>` frames) instead of `json`: a streamed reply. */
  sse?: unknown[];
  /** With `sse`: drop the connection after this many events (an upstream failure mid-stream). */
  sseCutAfter?: number;
}

/**
 * A local HTTP server that speaks the OpenAI Responses and Chat Completions wire formats.
 * Each test sets `respond` to script replies from the request; every request is recorded.
 */
export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  respond: (req: RecordedRequest) => FakeReply = () => ({ status: 500, json: { error: { message: 'not scripted' } } });
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : undefined };
        this.requests.push(recorded);
        let reply: FakeReply;
        try {
          reply = this.respond(recorded);
        } catch (err) {
          reply = { status: 500, json: { error: { message: String(err) } } };
        }
        const send = () => {
          if (res.destroyed) return;
          if (reply.sse) {
            res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', ...reply.headers });
            const events = reply.sseCutAfter === undefined ? reply.sse : reply.sse.slice(0, reply.sseCutAfter);
            for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
            if (reply.sseCutAfter !== undefined) res.destroy();
            else res.end('data: [DONE]\n\n');
            return;
          }
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
          res.end(JSON.stringify(reply.json ?? {}));
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  reset(): void {
    this.requests.length = 0;
  }
}

let n = 0;
const usage = { input_tokens: 120, output_tokens: 30, total_tokens: 150, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };

/** A Responses API reply (recorded-style) with the given output items. */
export function responsesReply(model: string, output: unknown[]): FakeReply {
  return {
    json: { id: `resp_${++n}`, object: 'response', created_at: 1764000000, status: 'completed', model, output, usage, parallel_tool_calls: true, tool_choice: 'auto', tools: [] },
  };
}

export function responsesMessage(text: string) {
  return { type: 'message', id: `msg_${++n}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
}

export function responsesFunctionCall(name: string, args: unknown) {
  const id = ++n;
  return { type: 'function_call', id: `fc_${id}`, call_id: `call_${id}`, name, arguments: JSON.stringify(args), status: 'completed' };
}

/** A Chat Completions reply: text content or tool calls. */
export function chatReply(model: string, message: { content?: string; tool_calls?: { name: string; args: unknown }[] }): FakeReply {
  const toolCalls = message.tool_calls?.map((t) => ({ id: `call_${++n}`, type: 'function', function: { name: t.name, arguments: JSON.stringify(t.args) } }));
  return {
    json: {
      id: `chatcmpl_${++n}`,
      object: 'chat.completion',
      created: 1764000000,
      model,
      choices: [
        {
          index: 0,
          finish_reason: toolCalls ? 'tool_calls' : 'stop',
          message: { role: 'assistant', content: message.content ?? null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    },
  };
}

/**
 * A Responses API reply as the stream the API sends for `stream: true`: response.created, per
 * output item output_item.added, its text in `response.output_text.delta` chunks of `chunk`
 * characters, output_item.done, then response.completed with the whole response.
 */
export function responsesStream(reply: FakeReply, chunk = 8): FakeReply {
  const response = reply.json as { id: string; output: { type: string; id: string; content?: { type: string; text: string }[] }[] };
  const events: unknown[] = [{ type: 'response.created', response: { ...response, status: 'in_progress', output: [] } }];
  response.output.forEach((item, outputIndex) => {
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: item.type === 'message' ? { ...item, status: 'in_progress', content: [] } : item });
    (item.content ?? []).forEach((part, contentIndex) => {
      for (let i = 0; i < part.text.length; i += chunk) {
        events.push({ type: 'response.output_text.delta', item_id: item.id, output_index: outputIndex, content_index: contentIndex, delta: part.text.slice(i, i + chunk), logprobs: [] });
      }
    });
    events.push({ type: 'response.output_item.done', output_index: outputIndex, item });
  });
  events.push({ type: 'response.completed', response });
  return { sse: events.map((e, i) => ({ ...(e as object), sequence_number: i })) };
}
