import {
  Agent,
  RunAgentUpdatedStreamEvent,
  RunHandoffOutputItem,
  RunItemStreamEvent,
  RunMessageOutputItem,
  RunRawModelStreamEvent,
  RunToolApprovalItem,
  RunToolCallItem,
  RunToolCallOutputItem,
} from '@openai/agents-core';
import { formatSse, mapRunEvent, MAX_TOOL_OUTPUT_CHARS, parseMaybeJson, type MapperState } from './stream-events.js';

const plain = new Agent({ name: 'triage_agent' });
const guarded = new Agent({ name: 'resolution_agent', outputGuardrails: [{ name: 'reply_policy', execute: async () => ({ tripwireTriggered: false, outputInfo: null }) }] });
const call = { type: 'function_call' as const, name: 'knowledge_base_agent', callId: 'call_1', arguments: '{"input":"reset password"}', status: 'completed' as const };
const message = (text: string) => ({ type: 'message' as const, role: 'assistant' as const, status: 'completed' as const, content: [{ type: 'output_text' as const, text }] });
const delta = (text: string) => new RunRawModelStreamEvent({ type: 'output_text_delta', delta: text });
const triageState: MapperState = { agent: 'triage_agent', guarded: false };
const resolutionState: MapperState = { agent: 'resolution_agent', guarded: true };

describe('mapRunEvent: SDK stream events → the SSE vocabulary', () => {
  it('an agent update names the agent and the backend, and remembers whether its output is guarded', () => {
    const open = mapRunEvent(new RunAgentUpdatedStreamEvent(guarded), { guarded: false }, 'openai');
    expect(open.events).toEqual([{ event: 'agent', data: { agent: 'resolution_agent', backend: 'openai' } }]);
    expect(open.state).toEqual(resolutionState);
    expect(mapRunEvent(new RunAgentUpdatedStreamEvent(plain), open.state, 'offline').state).toEqual(triageState);
  });

  it('text deltas stream for an unguarded agent only: a guarded answer may yet be withheld', () => {
    expect(mapRunEvent(delta('{"category":'), triageState, 'offline').events).toEqual([{ event: 'text', data: { agent: 'triage_agent', delta: '{"category":' } }]);
    expect(mapRunEvent(delta('I have issued a refund'), resolutionState, 'offline').events).toEqual([]);
  });

  it('other raw model events (response started/done, provider events) and empty deltas are not streamed', () => {
    expect(mapRunEvent(new RunRawModelStreamEvent({ type: 'response_started' }), triageState, 'offline').events).toEqual([]);
    expect(mapRunEvent(delta(''), triageState, 'offline').events).toEqual([]);
  });

  it('a tool call carries its name, call id and parsed arguments', () => {
    const { events } = mapRunEvent(new RunItemStreamEvent('tool_called', new RunToolCallItem(call, guarded)), resolutionState, 'offline');
    expect(events).toEqual([{ event: 'tool_call', data: { agent: 'resolution_agent', name: 'knowledge_base_agent', call_id: 'call_1', arguments: { input: 'reset password' } } }]);
  });

  it('a tool output is parsed when it is JSON, and cut (truncated: true) when it is huge', () => {
    const result = { type: 'function_call_result' as const, name: 'knowledge_base_agent', callId: 'call_1', status: 'completed' as const, output: 'x' };
    const small = mapRunEvent(new RunItemStreamEvent('tool_output', new RunToolCallOutputItem(result, guarded, '{"articles":[]}')), resolutionState, 'offline');
    expect(small.events[0]).toEqual({ event: 'tool_output', data: { agent: 'resolution_agent', name: 'knowledge_base_agent', call_id: 'call_1', output: { articles: [] }, truncated: false } });
    const huge = 'y'.repeat(MAX_TOOL_OUTPUT_CHARS + 10);
    const cut = mapRunEvent(new RunItemStreamEvent('tool_output', new RunToolCallOutputItem(result, guarded, huge)), resolutionState, 'offline');
    expect(cut.events[0]!.data).toMatchObject({ output: huge.slice(0, MAX_TOOL_OUTPUT_CHARS), truncated: true });
  });

  it('a message output streams for an unguarded agent, never for a guarded one', () => {
    const item = (agent: Agent) => new RunItemStreamEvent('message_output_created', new RunMessageOutputItem(message('{"category":"billing"}'), agent));
    expect(mapRunEvent(item(plain), triageState, 'offline').events).toEqual([{ event: 'output', data: { agent: 'triage_agent', output: { category: 'billing' } } }]);
    expect(mapRunEvent(item(guarded), resolutionState, 'offline').events).toEqual([]);
  });

  it('an approval request and a hand-off have their own events', () => {
    const approval = mapRunEvent(new RunItemStreamEvent('tool_approval_requested', new RunToolApprovalItem({ ...call, name: 'issue_refund', arguments: '{"amount":20}' }, guarded)), resolutionState, 'offline');
    expect(approval.events).toEqual([{ event: 'tool_approval', data: { agent: 'resolution_agent', name: 'issue_refund', call_id: 'call_1', arguments: { amount: 20 } } }]);
    const handoff = new RunHandoffOutputItem({ type: 'function_call_result', name: 'transfer', callId: 'c', status: 'completed', output: { type: 'text', text: '{}' } }, plain, guarded);
    expect(mapRunEvent(new RunItemStreamEvent('handoff_occurred', handoff), triageState, 'offline').events).toEqual([{ event: 'handoff', data: { agent: 'triage_agent', to: 'resolution_agent' } }]);
  });

  it('parseMaybeJson keeps text that is not JSON (or is broken JSON) as it is', () => {
    expect(parseMaybeJson('[1,2]')).toEqual([1, 2]);
    expect(parseMaybeJson('{"a": 1')).toBe('{"a": 1');
    expect(parseMaybeJson('plain words')).toBe('plain words');
    expect(parseMaybeJson('42')).toBe('42');
  });

  it('an SSE frame is id, event and one line of JSON data, even when the text has newlines', () => {
    const frame = formatSse(7, { event: 'text', data: { delta: 'line one\nline two\r\n' } });
    expect(frame).toBe('id: 7\nevent: text\ndata: {"delta":"line one\\nline two\\r\\n"}\n\n');
    expect(frame.split('\n').filter((l) => l.startsWith('data:'))).toHaveLength(1);
  });
});
