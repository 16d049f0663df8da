import type { AgentInputItem, ModelRequest } from '@openai/agents-core';

/**
 * Reading a model request the way the offline policies need it: the user's input and the
 * results of tool calls made earlier in the same run. Pure functions, no SDK runtime.
 */
export interface ToolResult {
  name: string;
  callId: string;
  output: string;
}

function itemsOf(request: ModelRequest): AgentInputItem[] {
  return typeof request.input === 'string' ? [{ role: 'user', content: request.input }] : request.input;
}

/** Text of the first user message (the run's input). */
export function userInput(request: ModelRequest): string {
  for (const item of itemsOf(request)) {
    if ('role' in item && item.role === 'user') {
      const c = item.content;
      if (typeof c === 'string') return c;
      return c.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('');
    }
  }
  return '';
}

/** Results of the function calls already made in this run, in order. */
export function toolResults(request: ModelRequest): ToolResult[] {
  const out: ToolResult[] = [];
  for (const item of itemsOf(request)) {
    if ('type' in item && item.type === 'function_call_result') {
      const o = item.output;
      const text = typeof o === 'string' ? o : !Array.isArray(o) && o.type === 'text' ? o.text : JSON.stringify(o);
      out.push({ name: item.name, callId: item.callId, output: text });
    }
  }
  return out;
}

/** Parses JSON input; a plain string becomes `{ text }` so policies accept both forms. */
export function parseJsonInput(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // not JSON: fall through
  }
  return { text };
}
