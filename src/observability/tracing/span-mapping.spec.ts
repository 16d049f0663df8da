import { loadConfig } from '../../config/configuration.js';
import { Metrics } from '../../metrics/metrics.js';
import { openAIExportAllowed, openAIIngestUrl } from './openai-export.js';
import { parseOtlpHeaders } from './otlp-headers.js';
import { tracesUrl } from './otlp-export.js';
import { agentOutcome, mapSpan, otelSpanId, otelTraceId, type SdkSpanLike } from './span-mapping.js';
import { SpanSink } from './span-sink.js';

const TRACE = 'trace_0123456789abcdef0123456789abcdef';
const PII = 'Card 4111 1111 1111 1111, mail jane.doe@example.com';

function span(spanData: SdkSpanLike['spanData'], extra: Partial<SdkSpanLike> = {}): SdkSpanLike {
  return {
    traceId: TRACE,
    spanId: 'span_aaaaaaaaaaaaaaaabbbbbbbb',
    parentId: 'span_ccccccccccccccccdddddddd',
    spanData,
    startedAt: '2026-11-26T10:00:00.000Z',
    endedAt: '2026-11-26T10:00:01.250Z',
    error: null,
    traceMetadata: { ticket_id: 'b7e1c2d4-0000-4000-8000-000000000001', backend: 'openai' },
    ...extra,
  };
}

describe('SDK span → OpenTelemetry span', () => {
  it('keeps the SDK ids (hex part), the parent link and the times', () => {
    const m = mapSpan(span({ type: 'agent', name: 'triage_agent' }), { includeSensitiveData: false });
    expect(m).toMatchObject({ traceId: '0123456789abcdef0123456789abcdef', spanId: 'aaaaaaaaaaaaaaaa', parentSpanId: 'cccccccccccccccc', kind: 'internal' });
    expect(m.endMs - m.startMs).toBe(1250);
    expect(mapSpan(span({ type: 'task', name: 'w' }, { parentId: null }), { includeSensitiveData: false }).parentSpanId).toBeUndefined();
  });

  it('hashes ids of another shape to valid, stable OpenTelemetry ids', () => {
    expect(otelTraceId('custom-trace')).toMatch(/^[0-9a-f]{32}$/);
    expect(otelTraceId('custom-trace')).toBe(otelTraceId('custom-trace'));
    expect(otelSpanId('s1')).toMatch(/^[0-9a-f]{16}$/);
    expect(otelSpanId('s1')).not.toBe(otelSpanId('s2'));
  });

  it('names and attributes follow the GenAI conventions, with the ticket id', () => {
    const agent = mapSpan(span({ type: 'agent', name: 'resolution_agent', tools: ['knowledge_base_agent'] }), { includeSensitiveData: false });
    expect(agent.name).toBe('invoke_agent resolution_agent');
    expect(agent.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'resolution_agent', 'support.ticket_id': 'b7e1c2d4-0000-4000-8000-000000000001', 'support.backend': 'openai', 'support.agent.tools': ['knowledge_base_agent'] });
    const tool = mapSpan(span({ type: 'function', name: 'search_knowledge_base', input: '{"query":"x"}', output: '[]' }), { includeSensitiveData: false });
    expect(tool.name).toBe('execute_tool search_knowledge_base');
    expect(tool.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_knowledge_base' });
    const gen = mapSpan(span({ type: 'generation', model: 'gpt-4.1-mini', usage: { input_tokens: 120, output_tokens: 30 } }), { includeSensitiveData: false });
    expect(gen).toMatchObject({ name: 'chat gpt-4.1-mini', kind: 'client' });
    expect(gen.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4.1-mini', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 30 });
    const res = mapSpan(span({ type: 'response', response_id: 'resp_1', _response: { model: 'gpt-x', usage: { input_tokens: 7, output_tokens: 3 } } }), { includeSensitiveData: false });
    expect(res.attributes).toMatchObject({ 'gen_ai.response.id': 'resp_1', 'gen_ai.response.model': 'gpt-x', 'gen_ai.usage.input_tokens': 7 });
    const guard = mapSpan(span({ type: 'guardrail', name: 'customer_text', triggered: true }), { includeSensitiveData: false });
    expect(guard.attributes).toMatchObject({ 'support.guardrail.name': 'customer_text', 'support.guardrail.triggered': true });
  });

  it('without sensitive data: no inputs, outputs or messages, even when the SDK span has them', () => {
    const tool = mapSpan(span({ type: 'function', name: 't', input: PII, output: PII }), { includeSensitiveData: false });
    const gen = mapSpan(span({ type: 'generation', input: [{ role: 'user', content: PII }], output: [{ content: PII }] }), { includeSensitiveData: false });
    const custom = mapSpan(span({ type: 'custom', name: 'c', data: { PII } }), { includeSensitiveData: false });
    for (const m of [tool, gen, custom]) expect(JSON.stringify(m)).not.toMatch(/4111|jane\.doe/);
  });

  it('with sensitive data: inputs and outputs are there, PII-redacted; so is an error message', () => {
    const tool = mapSpan(span({ type: 'function', name: 't', input: PII, output: PII }, { error: { message: `failed for ${PII}` } }), { includeSensitiveData: true });
    expect(tool.attributes['gen_ai.tool.call.arguments']).toBe('Card [PAYMENT_CARD_1], mail [EMAIL_1]');
    expect(tool.attributes['gen_ai.tool.call.result']).toMatch(/\[EMAIL_1\]/);
    expect(tool.status).toEqual({ code: 'error', message: 'failed for Card [PAYMENT_CARD_1], mail [EMAIL_1]' });
    const gen = mapSpan(span({ type: 'generation', input: [{ role: 'user', content: PII }] }), { includeSensitiveData: true });
    expect(JSON.parse(gen.attributes['gen_ai.input.messages'] as string)).toEqual([{ role: 'user', content: 'Card [PAYMENT_CARD_1], mail [EMAIL_1]' }]);
  });

  it('bounds huge texts', () => {
    const tool = mapSpan(span({ type: 'function', name: 't', input: 'a'.repeat(100_000), output: '' }), { includeSensitiveData: true });
    expect((tool.attributes['gen_ai.tool.call.arguments'] as string).length).toBeLessThanOrEqual(8_193);
  });

  it('agent outcome: ok, error, guardrail (the SDK marks a tripped run), degraded (the offline fallback)', () => {
    expect(agentOutcome({ error: null })).toBe('ok');
    expect(agentOutcome({ error: { message: 'Guardrail tripwire triggered' } })).toBe('guardrail');
    expect(agentOutcome({ error: { message: 'Max turns exceeded' } })).toBe('error');
    expect(agentOutcome({ error: null, traceMetadata: { degraded: 'true' } })).toBe('degraded');
  });
});

describe('SpanSink: spans into metrics and log lines', () => {
  const lines: object[] = [];
  const log = { debug: (m: object) => lines.push(m), log: (m: object) => lines.push(m) };

  it('counts agent runs, tool calls, tokens and tripped guardrails; logs names and outcomes, never content', async () => {
    const metrics = new Metrics();
    const sink = new SpanSink({ metrics, log, includeSensitiveData: false });
    await sink.onSpanEnd(span({ type: 'agent', name: 'triage_agent' }) as never);
    await sink.onSpanEnd(span({ type: 'agent', name: 'resolution_agent' }, { error: { message: 'Guardrail tripwire triggered' } }) as never);
    await sink.onSpanEnd(span({ type: 'function', name: 'search_knowledge_base', input: PII, output: PII }) as never);
    await sink.onSpanEnd(span({ type: 'function', name: 'search_knowledge_base', input: '', output: '' }, { error: { message: 'boom' } }) as never);
    await sink.onSpanEnd(span({ type: 'guardrail', name: 'customer_text', triggered: true }) as never);
    await sink.onSpanEnd(span({ type: 'guardrail', name: 'reply_policy', triggered: false }) as never);
    await sink.onSpanEnd(span({ type: 'turn', turn: 1, agent_name: 'triage_agent', usage: { input_tokens: 120, output_tokens: 30 } }) as never);

    const text = await metrics.registry.metrics();
    expect(text).toContain('agent_run_duration_seconds_count{agent="triage_agent",backend="openai",outcome="ok"} 1');
    expect(text).toContain('agent_run_duration_seconds_count{agent="resolution_agent",backend="openai",outcome="guardrail"} 1');
    expect(text).toContain('agent_run_duration_seconds_sum{agent="triage_agent",backend="openai",outcome="ok"} 1.25');
    expect(text).toContain('agent_tool_calls_total{tool="search_knowledge_base",outcome="ok"} 1');
    expect(text).toContain('agent_tool_calls_total{tool="search_knowledge_base",outcome="error"} 1');
    expect(text).toContain('guardrail_trips_total{guardrail="customer_text"} 1');
    expect(text).not.toContain('guardrail_trips_total{guardrail="reply_policy"}');
    expect(text).toContain('model_tokens_total{agent="triage_agent",backend="openai",kind="input"} 120');
    expect(text).toContain('model_tokens_total{agent="triage_agent",backend="openai",kind="output"} 30');

    expect(lines).toContainEqual(expect.objectContaining({ span: 'agent', name: 'triage_agent', outcome: 'ok', duration_ms: 1250, trace_id: TRACE, ticket_id: 'b7e1c2d4-0000-4000-8000-000000000001' }));
    expect(lines).toContainEqual(expect.objectContaining({ span: 'guardrail', name: 'customer_text', outcome: 'tripped' }));
    expect(JSON.stringify(lines)).not.toMatch(/4111|jane\.doe/);
  });

  it('hands every span to the OTLP export, and a failing step never reaches the run', async () => {
    const exported: string[] = [];
    const sink = new SpanSink({
      metrics: new Metrics(),
      log,
      includeSensitiveData: false,
      otlp: { export: (m) => void exported.push(m.name), forceFlush: async () => {}, shutdown: async () => {} },
    });
    await sink.onSpanEnd(span({ type: 'agent', name: 'a' }) as never);
    expect(exported).toEqual(['invoke_agent a']);
    const broken = new SpanSink({ metrics: new Metrics(), log, includeSensitiveData: false, otlp: { export: () => { throw new Error('queue full'); }, forceFlush: async () => {}, shutdown: async () => {} } });
    await expect(broken.onSpanEnd(span({ type: 'agent', name: 'a' }) as never)).resolves.toBeUndefined();
  });
});

describe('where traces may go', () => {
  it('OpenAI only for the OpenAI backend with a key and OPENAI_TRACING=true', () => {
    expect(openAIExportAllowed({ OPENAI_API_KEY: 'sk-x', OPENAI_TRACING: true }, 'openai')).toBe(true);
    expect(openAIExportAllowed({ OPENAI_API_KEY: 'sk-x', OPENAI_TRACING: false }, 'openai')).toBe(false);
    expect(openAIExportAllowed({ OPENAI_API_KEY: undefined, OPENAI_TRACING: true }, 'openai')).toBe(false);
    expect(openAIExportAllowed({ OPENAI_API_KEY: 'sk-x', OPENAI_TRACING: true }, 'offline')).toBe(false);
  });

  it('to the server the key belongs to', () => {
    expect(openAIIngestUrl(undefined)).toBe('https://api.openai.com/v1/traces/ingest');
    expect(openAIIngestUrl('https://gateway.example.com/v1/')).toBe('https://gateway.example.com/v1/traces/ingest');
  });

  it('OTLP: <endpoint>/v1/traces, and headers as the specification writes them', () => {
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(parseOtlpHeaders('x-scope-orgid=tenant-1, Authorization=Basic%20dGVzdA==')).toEqual({ 'x-scope-orgid': 'tenant-1', Authorization: 'Basic dGVzdA==' });
    expect(parseOtlpHeaders('')).toEqual({});
    expect(() => parseOtlpHeaders('novalue')).toThrow(/key=value/);
    expect(() => parseOtlpHeaders('bad name=1')).toThrow(/header name/);
    expect(() => parseOtlpHeaders('a=%E0%A4%A')).toThrow(/URL encoding/);
    expect(() => parseOtlpHeaders('a=1%0D%0AInjected: yes')).toThrow(/line break/);
  });

  it('bad OTEL_EXPORTER_OTLP_HEADERS stop the start-up with a message naming the variable', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'Authorization Basic abc' })).toThrow(/OTEL_EXPORTER_OTLP_HEADERS.*key=value/);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'a=1' }).env.OTEL_EXPORTER_OTLP_HEADERS).toBe('a=1');
  });
});
