import { alertForAtRisk, alertForBreach } from '../sla/sla-alerts.js';
import type { MetricClockView, TicketSlaView } from '../sla/sla.types.js';
import { buildDigest, digestEntryOf } from './alert-digest.js';
import { genericAlertBody, slackAlertBody, type OutgoingAlert } from './alert-messages.js';
import type { AlertRequest } from './alerts.types.js';

// Review: ticket fields a customer (or a model's triage) shapes reach Slack as text, never as
// markup: no <!channel>/<!here> mention, no <url|label> link, whatever the field holds.
const HOSTILE = ['<!channel>', '<!here|here>', '<https://evil.example/login|Reset your password>', '<@U024BE7LH>', '&lt;!channel&gt;', 'a\n<!everyone>'];

const clock: MetricClockView = {
  metric: 'first_reply_time',
  target_minutes: 60,
  business_hours: false,
  state: 'running',
  breached: true,
  elapsed_minutes: 75,
  remaining_minutes: -15,
  due_at: '2026-11-25T10:00:00.000Z',
  breached_at: '2026-11-25T10:00:00.000Z',
  cycle_started_at: '2026-11-25T09:00:00.000Z',
  fulfilled_at: null,
} as MetricClockView;

const view = (field: string): TicketSlaView => ({
  ticket_id: field,
  status: field,
  priority: field,
  category: field,
  channel: field,
  policy: { id: 'p', name: null },
  calendar: null,
  metrics: [clock],
  next_due: null,
  breached: true,
  computed_at: '2026-11-25T10:15:00.000Z',
});

function outgoing(a: AlertRequest, id = '3b2f6a0e-8c1d-4f7a-9e25-6d4c0b1a7f93'): OutgoingAlert {
  return { id, kind: a.kind, dedupe_key: a.dedupeKey, ticket_id: a.ticketId ?? null, metric: a.metric ?? null, title: a.title, lines: a.lines, fields: a.fields, ...(a.extra ? { extra: a.extra } : {}), notification: 2, created_at: '2026-11-25T10:00:00.000Z' };
}

/** Every mrkdwn string Slack renders from one body. */
function rendered(body: ReturnType<typeof slackAlertBody>): string[] {
  return [body.text, ...body.blocks.flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)])];
}

describe('review: Slack markup from ticket fields', () => {
  it.each(HOSTILE)('%j in the ticket id, status, priority, category and channel: no control sequence in any rendered text', (field) => {
    const alerts = [alertForBreach(view(field), clock, `breach:${field}`), alertForAtRisk(view(field), clock, { remaining_minutes: 10, due_at: clock.due_at } as never, `at_risk:${field}`)];
    const digest = buildDigest(
      alerts.map((a, i) => digestEntryOf({ id: `id-${i}`, kind: a.kind, ticketId: a.ticketId ?? null, metric: a.metric ?? null, payload: { title: a.title, lines: a.lines, fields: a.fields } })),
      { id: 'digest-1', now: new Date('2026-11-25T10:15:00.000Z'), individually: 1, max: 1, reminder: false },
    );
    for (const a of [...alerts, digest]) {
      for (const text of rendered(slackAlertBody(outgoing(a), new Date('2026-11-25T10:15:00.000Z')))) {
        expect(text).not.toMatch(/<[!@#]|<https?:|\|[^\s]*>/);
        expect(text).not.toContain('<');
      }
      // The generic body is JSON: the structured values are the raw strings, for receivers to treat as data.
      expect(genericAlertBody(outgoing(a), new Date()).fields).toEqual(a.fields);
    }
  });
});
