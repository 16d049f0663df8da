import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { FakeOpenAI, chatReply, responsesFunctionCall, responsesMessage, responsesReply, type FakeReply, type RecordedRequest } from './helpers/fake-openai.js';
import { createTestApp } from './helpers/test-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';

/**
 * The monitoring agent's narrative with the OpenAI backend (issue 7): the model writes the report
 * from the tools' numbers; an output guardrail checks every number in it against the run's facts,
 * and a report with an invented number is replaced by the template (still 200, same metrics).
 */

const fake = new FakeOpenAI();
let baseUrl: string;
beforeAll(async () => {
  baseUrl = await fake.start();
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const openaiEnv = (extra: Record<string, string> = {}) => ({
  LLM_PROVIDER: '',
  OPENAI_API_KEY: 'sk-test-key',
  OPENAI_BASE_URL: baseUrl,
  OPENAI_MODEL: 'gpt-test-default',
  MONITORING_MODEL: 'gpt-test-monitoring',
  OPENAI_MAX_RETRIES: '0',
  OPENAI_TIMEOUT_MS: '5000',
  ...extra,
});

/**
 * A: High, first response after 0.5 h, resolved in 2 h (within 4 h), csat 4.
 * B: Medium, resolved in 30 h (over 24 h; the resolution is its first response). C: open.
 * → 3 tickets, 2 resolved, backlog 1; first response 15.25 h; resolution avg 16 h, p90 27.2 h;
 *   compliance 0.5; reopen rate 0; csat 4. Targets: avg_resolution_time 8, sla_compliance 0.9 → 2 breaches.
 */
const BODY = {
  ticket_updates: [
    { ticket_id: 'A', created_at: '2026-11-24T09:00:00Z', first_response_at: '2026-11-24T09:30:00Z', resolved_at: '2026-11-24T11:00:00Z', priority: 'High', csat: 4 },
    { ticket_id: 'B', created_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-25T15:00:00Z', priority: 'Medium' },
    { ticket_id: 'C', status: 'open', timestamp: '2026-11-24T10:00:00Z', actor: 'customer' },
  ],
  sla_targets: { avg_resolution_time: 8, sla_compliance: 0.9 },
};
const EXPECTED_METRICS = [
  { metric_name: 'tickets_total', value: 3 },
  { metric_name: 'tickets_resolved', value: 2 },
  { metric_name: 'backlog', value: 1 },
  { metric_name: 'avg_first_response_time', value: 15.25 },
  { metric_name: 'avg_resolution_time', value: 16 },
  { metric_name: 'p90_resolution_time', value: 27.2 },
  { metric_name: 'sla_compliance', value: 0.5 },
  { metric_name: 'reopen_rate', value: 0 },
  { metric_name: 'customer_satisfaction', value: 4 },
];
const METRIC_TOOLS = ['compute_volume_metrics', 'compute_first_response_metrics', 'compute_resolution_metrics', 'compute_reopen_metrics', 'compute_satisfaction_metrics'];

/** Every number here is one of the run's facts, in the forms a writer uses. */
const HONEST = [
  '## Support performance',
  '',
  '3 tickets came in and 2 were resolved (67%); 1 is still open.',
  '',
  '1. Resolution is slow: the average took 16 h, 8 h over the 8 h target, and the p90 was 27.2 h.',
  '2. Only 50% of resolved tickets (1 of 2) met their resolution target, 40 percentage points below the 90% target.',
  '3. First response averaged 15 h 15 min; customer satisfaction (1-5) is 4 out of 5; nothing was reopened (0%).',
  '',
  'The alert was not sent: no alert channel is configured.',
].join('\n');
const INVENTED = `${HONEST}\n\nSLA compliance improved by 12% since last week.`;

/** Function calls the SDK sent results for (Responses input items or Chat tool messages). */
function calledTools(r: RecordedRequest): string[] {
  if (Array.isArray(r.body.input)) return r.body.input.filter((i: { type?: string }) => i.type === 'function_call').map((i: { name: string }) => i.name);
  return (r.body.messages ?? []).flatMap((m: { tool_calls?: { function: { name: string } }[] }) => (m.tool_calls ?? []).map((t) => t.function.name));
}
const instructionsOf = (r: RecordedRequest): string => r.body.instructions ?? r.body.messages?.find((m: { role: string }) => m.role === 'system')?.content ?? '';

/** The model: all metric tools in one turn, then the evaluation, then the report. */
function scriptModel(report: string, api: 'responses' | 'chat' = 'responses'): (r: RecordedRequest) => FakeReply {
  return (r) => {
    const called = calledTools(r);
    const model = r.body.model as string;
    if (api === 'chat') {
      if (called.length === 0) return chatReply(model, { tool_calls: METRIC_TOOLS.map((name) => ({ name, args: {} })) });
      if (!called.includes('evaluate_sla_and_alert')) return chatReply(model, { tool_calls: [{ name: 'evaluate_sla_and_alert', args: {} }] });
      return chatReply(model, { content: JSON.stringify({ dashboard_report: report }) });
    }
    if (called.length === 0) return responsesReply(model, METRIC_TOOLS.map((name) => responsesFunctionCall(name, {})));
    if (!called.includes('evaluate_sla_and_alert')) return responsesReply(model, [responsesFunctionCall('evaluate_sla_and_alert', {})]);
    return responsesReply(model, [responsesMessage(JSON.stringify({ dashboard_report: report }))]);
  };
}

describe('monitoring narrative over the Responses API', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp(openaiEnv());
  });
  afterAll(() => app.close());

  it('(a) a narrative that uses only the given numbers is returned as written', async () => {
    fake.respond = scriptModel(HONEST);
    const res = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(BODY).expect(200);
    expect(res.headers['x-agent-backend']).toBe('openai');
    expect(res.headers['x-agent-degraded']).toBe('false');
    expect(res.body.monitoring_result).toEqual({
      metrics: EXPECTED_METRICS,
      sla_breaches: ['avg_resolution_time', 'sla_compliance'],
      alerts_sent: false,
      dashboard_report: HONEST,
    });

    // What the SDK sent: three model turns, the metric tools in parallel first, then the evaluation.
    expect(fake.requests).toHaveLength(3);
    const [first, second, last] = fake.requests;
    expect(first!.path).toBe('/v1/responses');
    expect(first!.body.model).toBe('gpt-test-monitoring');
    expect(first!.body.tool_choice).toBe('required');
    expect(first!.body.parallel_tool_calls).toBe(true);
    expect(first!.body.tools.map((t: { name: string }) => t.name)).toEqual([...METRIC_TOOLS, 'evaluate_sla_and_alert']);
    expect(calledTools(second!)).toEqual(METRIC_TOOLS);
    expect(calledTools(last!)).toEqual([...METRIC_TOOLS, 'evaluate_sla_and_alert']);
    // The input states the counts and targets (JSON); the raw updates never reach the model.
    const input = JSON.stringify(first!.body.input);
    expect(input).toContain('\\"ticket_updates\\":3');
    expect(input).toContain('\\"sla_targets\\":{\\"avg_resolution_time\\":8,\\"sla_compliance\\":0.9}');
    expect(input).not.toContain('2026-11-24');

    // The rule is in the instructions of every turn; the numbers appear once the tools computed them.
    for (const r of fake.requests) {
      expect(instructionsOf(r)).toMatch(/Use only the numbers listed under "Numbers you may use"; never invent, estimate/);
      expect(instructionsOf(r)).toMatch(/replaced by a template/);
    }
    expect(instructionsOf(first!)).toMatch(/call them first/);
    expect(instructionsOf(first!)).not.toContain('- avg_resolution_time:');
    const numbers = instructionsOf(last!);
    expect(numbers).toContain('- avg_resolution_time: 16 h (= 960 min)');
    expect(numbers).toContain('- sla_compliance: 0.5 (= 50%)');
    expect(numbers).toContain('- target sla_compliance: 0.9 (= 90%)');
    expect(numbers).toContain('- number of SLA breaches: 2');
    expect(numbers).toContain('- avg_resolution_time above its target by: 8 h (= 480 min)');
    expect(numbers).toContain('Alert outcome: not delivered (no alert channel is configured');
  });

  it('(b) a narrative with an invented number is replaced by the template, with a note; 200 and the same metrics', async () => {
    fake.respond = scriptModel(INVENTED);
    const res = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(BODY).expect(200);
    expect(res.headers['x-agent-backend']).toBe('openai');
    expect(res.headers['x-agent-degraded']).toBe('false');
    const r = res.body.monitoring_result;
    expect(r.metrics).toEqual(EXPECTED_METRICS);
    expect(r.sla_breaches).toEqual(['avg_resolution_time', 'sla_compliance']);
    expect(r.alerts_sent).toBe(false);
    expect(r.dashboard_report).not.toContain('improved by');
    expect(r.dashboard_report).toMatch(/^## Support performance\n/);
    expect(r.dashboard_report).toContain('| Average resolution | 16 h | at most 8 h: **breached** |');
    expect(r.dashboard_report).toContain('- Resolved within SLA: 50% is below the target of 90% (by 40 percentage points).');
    expect(r.dashboard_report).toContain('**Alert:** not sent — no alert channel is configured');
    expect(r.dashboard_report).toMatch(
      /\n\n_The written narrative was replaced by this template: it stated numbers that are not in the metrics \(`12%`\)\._$/,
    );
    // The model ran its full course (no retry, no second run).
    expect(fake.requests).toHaveLength(3);
  });

  it('the same holds through /run_agent/', async () => {
    fake.respond = scriptModel(INVENTED);
    const res = await request(app.getHttpServer()).post('/run_agent/').send({ agent_name: 'performance_monitoring_agent', query: BODY }).expect(200);
    expect(res.body.output.metrics).toEqual(EXPECTED_METRICS);
    expect(res.body.output.dashboard_report).toMatch(/replaced by this template.*`12%`/);
  });

  it('a model that skips the evaluation still cannot invent: the facts are the complete ones', async () => {
    fake.respond = (r) =>
      calledTools(r).length === 0
        ? responsesReply(r.body.model, [responsesFunctionCall('compute_volume_metrics', {})])
        : responsesReply(r.body.model, [responsesMessage(JSON.stringify({ dashboard_report: 'Average resolution 16 h, compliance 50%; 99.9% uptime.' }))]);
    const res = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(BODY).expect(200);
    expect(res.body.monitoring_result.metrics).toEqual(EXPECTED_METRICS);
    expect(res.body.monitoring_result.dashboard_report).toMatch(/\(`99\.9%`\)\._$/);
  });
});

describe('monitoring narrative over Chat Completions', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp(openaiEnv({ OPENAI_API: 'chat_completions' }));
  });
  afterAll(() => app.close());

  it('honest narrative kept, invented one replaced', async () => {
    fake.respond = scriptModel(HONEST, 'chat');
    const ok = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(BODY).expect(200);
    expect(ok.body.monitoring_result.dashboard_report).toBe(HONEST);
    expect(fake.requests[0]!.path).toBe('/v1/chat/completions');
    expect(instructionsOf(fake.requests.at(-1)!)).toContain('- p90_resolution_time: 27.2 h');

    fake.respond = scriptModel(INVENTED, 'chat');
    const replaced = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(BODY).expect(200);
    expect(replaced.body.monitoring_result.metrics).toEqual(ok.body.monitoring_result.metrics);
    expect(replaced.body.monitoring_result.dashboard_report).toMatch(/`12%`/);
  });
});

describe('monitoring narrative with an alert webhook', () => {
  const hook = new WebhookReceiver();
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp(openaiEnv({ ALERT_WEBHOOK_URL: await hook.start() }));
  });
  afterAll(async () => {
    await app.close();
    await hook.stop();
  });

  it('a replaced narrative does not send the alert again: one delivery, alerts_sent true', async () => {
    fake.respond = scriptModel(INVENTED);
    const res = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(BODY).expect(200);
    expect(res.body.monitoring_result.alerts_sent).toBe(true);
    expect(res.body.monitoring_result.dashboard_report).toMatch(/\*\*Alert:\*\* sent — delivered to the alert webhook \(HTTP 200\)\./);
    expect(res.body.monitoring_result.dashboard_report).toMatch(/`12%`/);
    expect(hook.requests).toHaveLength(1);
  });
});

describe('offline backend', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('the template passes the numbers guardrail: same metrics, no replacement note', async () => {
    const res = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(BODY).expect(200);
    expect(res.headers['x-agent-backend']).toBe('offline');
    expect(res.body.monitoring_result.metrics).toEqual(EXPECTED_METRICS);
    expect(res.body.monitoring_result.dashboard_report).toContain('From 3 ticket updates of 3 tickets.');
    expect(res.body.monitoring_result.dashboard_report).not.toMatch(/replaced/);
    expect(fake.requests).toHaveLength(0);
  });
});
