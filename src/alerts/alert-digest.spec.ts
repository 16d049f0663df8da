import { buildDigest, DIGEST_IDS_MAX, DIGEST_LISTED, digestEntryOf, digestKey, groupUpdates, type DigestEntry } from './alert-digest.js';
import type { AlertRow } from './alert-log.js';
import { alertHeadline, slackAlertBody } from './alert-messages.js';

const NOW = new Date('2026-11-25T10:00:00.000Z');
const DIGEST_ID = '9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
const opts = { id: DIGEST_ID, now: NOW, individually: 10, max: 10, reminder: false };

const breach = (n: number, metric = 'first_reply_time', priority: string | null = 'High'): DigestEntry => ({
  id: `b-${n}`,
  kind: 'breach',
  ticketId: `T-${n}`,
  metric,
  title: `SLA breached: ${metric.replace(/_/g, ' ')} on T-${n} (${priority})`,
  priority,
});
const atRisk = (n: number, metric = 'first_reply_time', ticket = `R-${n}`): DigestEntry => ({
  id: `r-${n}-${metric}`,
  kind: 'at_risk',
  ticketId: ticket,
  metric,
  title: `SLA at risk: ${metric.replace(/_/g, ' ')} on ${ticket} due in 20 min`,
  priority: 'Medium',
});
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('buildDigest', () => {
  // 137 breaches (100 first reply, 37 resolution; 50 High, 80 Medium, 7 without a priority) and 13 at-risk clocks on 12 tickets.
  const entries = [
    ...range(100).map((i) => breach(i, 'first_reply_time', i <= 50 ? 'High' : 'Medium')),
    ...range(37).map((i) => breach(100 + i, 'resolution_time', i <= 30 ? 'Medium' : null)),
    ...range(12).map((i) => atRisk(i)),
    atRisk(1, 'resolution_time', 'R-1'),
  ];
  const digest = buildDigest(entries, opts);

  it('one digest alert: "SLA: 137 more breaches and 12 tickets at risk", keyed by the check instant', () => {
    expect(digest).toMatchObject({ kind: 'digest', dedupeKey: 'digest:2026-11-25T10:00:00.000Z', title: 'SLA: 137 more breaches and 12 tickets at risk' });
    expect(digest.ticketId).toBeUndefined();
    expect(digest.metric).toBeUndefined();
  });

  it('fields: the counts by kind, metric and priority', () => {
    expect(digest.fields).toEqual({
      alerts: 150,
      breaches: 137,
      at_risk: 13,
      at_risk_tickets: 12,
      other: 0,
      tickets: 149,
      sent_individually: 10,
      max_per_check: 10,
      reminder: false,
      breaches_first_reply_time: 100,
      breaches_resolution_time: 37,
      at_risk_first_reply_time: 12,
      at_risk_resolution_time: 1,
      priority_medium: 93,
      priority_high: 50,
      priority_none: 7,
    });
  });

  it('lines: what happened, the counts, then the first 15 alerts in the given order, then how many more and where they are', () => {
    expect(digest.lines.slice(0, 4)).toEqual([
      '160 new alerts in one check: the 10 most urgent were sent on their own (ALERT_MAX_PER_CHECK=10); this message covers the other 150.',
      '*Breaches (137)*: first reply time 100 · resolution time 37',
      '*At risk (13 on 12 tickets)*: first reply time 12 · resolution time 1',
      '*By priority*: Medium 93 · High 50 · none 7',
    ]);
    const listed = digest.lines.slice(4, -1);
    expect(listed).toHaveLength(DIGEST_LISTED);
    expect(listed[0]).toBe('• SLA breached: first reply time on T-1 (High)');
    expect(listed[14]).toBe('• SLA breached: first reply time on T-15 (High)');
    expect(digest.lines.at(-1)).toBe(`…and 135 more. Every one is in GET /monitoring/alerts?status=digested (digest_id ${DIGEST_ID}).`);
  });

  it("the covered alerts' ids, in order, as `alert_ids`, and their number (both webhook bodies carry them; the log keeps them in the payload)", () => {
    expect(digest.extra).toEqual({ alert_ids: entries.map((e) => e.id), alert_ids_total: 150 });
  });

  it('a backlog of 30k alerts: the first DIGEST_IDS_MAX ids only (a body of kilobytes, not 1.2 MB), alert_ids_total all of them', () => {
    const backlog = range(30_000).map((i) => breach(i));
    const big = buildDigest(backlog, opts);
    expect(DIGEST_IDS_MAX).toBe(500);
    expect(big.extra).toEqual({ alert_ids: backlog.slice(0, 500).map((e) => e.id), alert_ids_total: 30_000 });
    expect(big.fields.alerts).toBe(30_000);
    const body = JSON.stringify(slackAlertBody({ ...big, id: DIGEST_ID, dedupe_key: big.dedupeKey, ticket_id: null, metric: null, notification: 1, created_at: NOW.toISOString() }, NOW));
    expect(body.length).toBeLessThan(20_000);
    expect(big.lines.at(-1)).toBe(`…and 29985 more. Every one is in GET /monitoring/alerts?status=digested (digest_id ${DIGEST_ID}).`);
  });

  it('small digests: singular words, no "…more", only the kinds present', () => {
    const one = buildDigest([atRisk(1)], { ...opts, individually: 1, max: 1 });
    expect(one.title).toBe('SLA: 1 more ticket at risk');
    expect(one.lines).toEqual([
      '2 new alerts in one check: the most urgent was sent on its own (ALERT_MAX_PER_CHECK=1); this message covers the other 1.',
      '*At risk (1 on 1 ticket)*: first reply time 1',
      '*By priority*: Medium 1',
      '• SLA at risk: first reply time on R-1 due in 20 min',
      `Each is in GET /monitoring/alerts?status=digested (digest_id ${DIGEST_ID}).`,
    ]);
    expect(buildDigest([breach(1)], opts).title).toBe('SLA: 1 more breach');
    expect(buildDigest([breach(1), breach(2), { ...breach(3), id: 'm', kind: 'metrics', metric: null, ticketId: null }], opts).title).toBe('SLA: 2 more breaches and 1 alert');
  });

  it("a sweep's digest of reminders says the alerts are still open and has a key of its own", () => {
    const reminder = buildDigest(range(25).map((i) => breach(i)), { ...opts, reminder: true });
    expect(reminder.title).toBe('SLA, still open: 25 more breaches');
    expect(reminder.dedupeKey).toBe('digest:2026-11-25T10:00:00.000Z:reminders');
    expect(reminder.dedupeKey).toBe(digestKey(NOW, true));
    expect(reminder.fields.reminder).toBe(true);
    expect(reminder.lines[0]).toBe('35 alerts are still open and due again: the 10 most urgent were sent on their own (ALERT_MAX_PER_CHECK=10); this message covers the other 25.');
  });

  it('keeps Slack markup out of what it repeats: titles, metrics and priorities are escaped', () => {
    const sneaky: DigestEntry = { ...breach(1), title: 'SLA breached on <!channel> & <https://evil.example|click>', priority: '<!here>' };
    const d = buildDigest([sneaky], opts);
    expect(d.lines.join('\n')).not.toMatch(/<!|<https/);
    expect(d.lines).toContain('• SLA breached on &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect(d.fields['priority__here_']).toBe(1);
  });

  it('fits in one Slack section with its headline', () => {
    const body = slackAlertBody({ ...digest, id: DIGEST_ID, dedupe_key: digest.dedupeKey, ticket_id: null, metric: null, notification: 1, created_at: NOW.toISOString() }, NOW);
    expect(body.text.length).toBeLessThan(2_900);
    expect(body.text.startsWith(alertHeadline({ ...digest, id: DIGEST_ID, dedupe_key: digest.dedupeKey, ticket_id: null, metric: null, notification: 1, created_at: '' }))).toBe(true);
    expect((body as { alert_ids?: unknown[] }).alert_ids).toHaveLength(150);
  });

  it('refuses an empty digest', () => {
    expect(() => buildDigest([], opts)).toThrow(/at least one/);
  });
});

describe('digestEntryOf', () => {
  it("reads the alert's title and priority from its logged payload", () => {
    const row = { id: 'a', kind: 'breach', ticketId: 'T-1', metric: 'first_reply_time', payload: { title: 't', lines: [], fields: { priority: 'Low' } } } as Pick<AlertRow, 'id' | 'kind' | 'ticketId' | 'metric' | 'payload'>;
    expect(digestEntryOf(row)).toEqual({ id: 'a', kind: 'breach', ticketId: 'T-1', metric: 'first_reply_time', title: 't', priority: 'Low' });
    expect(digestEntryOf({ ...row, payload: { title: 't', lines: [], fields: {} } }).priority).toBeNull();
  });
});

describe('groupUpdates', () => {
  it('groups rows whose updates are equal (dates included), in first-seen order', () => {
    const a = { status: 'digested', at: new Date(NOW) };
    const b = { status: 'digested', at: new Date(NOW.getTime() + 1) };
    expect(groupUpdates([{ id: '1', update: a }, { id: '2', update: b }, { id: '3', update: { ...a, at: new Date(NOW) } }])).toEqual([
      { ids: ['1', '3'], update: a },
      { ids: ['2'], update: b },
    ]);
    expect(groupUpdates([])).toEqual([]);
  });
});
